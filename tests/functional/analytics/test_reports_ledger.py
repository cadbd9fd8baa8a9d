"""A farmer's sales and payouts reports reconcile with the payments ledger to the shilling.

The money is made by payments' own code paths (the payments suite's scripted month: a buyer pays
three orders through the sandbox PesaPal, two complete and their escrow is released to the farmer
less Soko's commission, one is settled to the farmer's mobile money); the completed orders'
``OrderCompleted`` events are in a lake written in the lake's layout and queried by DuckDB with the
real SQL. The reports are requested over HTTP (``POST /reports``), built by the worker's own handler
from an SQS record, and downloaded through the presigned URL's object; their totals are compared
with the journal's postings summed independently."""

from __future__ import annotations

import csv
import io
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "payments"))

from test_statements_endpoints import journal_sum, scripted_month

from soko.analytics.dal.reports import ReportsBucket, ReportsDal
from soko.analytics.deps import reports as wiring
from soko.analytics.reports import ReportsDeps
from soko.payments import statements
from soko.payments.public import PaymentsReads, commission_ugx
from soko.shared import clock
from soko_local.provision import Deployment
from support import events
from support.gateway import http_event
from support.lambda_env import Invoke
from support.payments import Tables
from support.reports_lake import DuckLake, lake_event, write_events
from support.sandbox import SandboxServer
from support.users import User


def _lake_of(tables: Tables, orders: list[str], root: Path) -> DuckLake:
    """The completed orders' events as the lake holds them (one twice: delivery is at least once),
    with another farmer's sale that must not count."""
    now = clock.now_iso()
    written = []
    for order_id in orders:
        order = tables.order(order_id)
        detail = events.order_detail(
            order_id,
            farmer_id=order["farmer_id"],
            buyer_id=order["buyer_id"],
            total_ugx=int(order["total_ugx"]),
            quantity_kg=str(Decimal(int(order["quantity_g"])) / 1000),
            price_per_kg_ugx=int(order["price_per_kg"]),
            completed_at=now,
        )
        written.append(lake_event("soko.orders", "OrderCompleted", detail, now))
    written.append({**written[0], "id": "redelivered"})
    written.append(
        lake_event("soko.orders", "OrderCompleted", events.order_detail("OTHER", farmer_id="F9"), now)
    )
    write_events(root, written)
    return DuckLake(root)


def _request(run: Invoke, farmer: User, kind: str, fmt: str) -> dict[str, Any]:
    today = statements.this_month().replace(day=1).isoformat()
    body = {
        "kind": kind,
        "format": fmt,
        "from_date": today,
        "to_date": clock.now().astimezone(clock.EAT).date().isoformat(),
    }
    result = run(
        "ReportsCreateFunction",
        http_event("ReportsCreateFunction", "POST", "/reports", body=body, context=farmer.context),
    )
    assert result["statusCode"] == 202, result
    report: dict[str, Any] = json.loads(result["body"])
    return report


def _get(run: Invoke, farmer: User, report_id: str) -> dict[str, Any]:
    path = f"/reports/{report_id}"
    result = run(
        "ReportsGetFunction",
        http_event("ReportsGetFunction", "GET", path, params={"id": report_id}, context=farmer.context),
    )
    assert result["statusCode"] == 200, result
    found: dict[str, Any] = json.loads(result["body"])
    return found


def test_sales_and_payouts_reports_match_the_ledger_to_the_shilling(
    run: Invoke, server: SandboxServer, tables: Tables, deployment: Deployment, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _, farmer, orders = scripted_month(run, server, tables)
    completed = orders[:2]  # the third is paid, held in escrow: not a sale yet
    lake = _lake_of(tables, completed, tmp_path)
    deps = ReportsDeps(
        store=ReportsDal(deployment.physical["AnalyticsTable"]),
        files=ReportsBucket(deployment.physical["ReportsBucket"]),
        lake=lambda: lake,
        ledger=lambda: PaymentsReads(deployment.physical["PaymentsTable"]),
        commission=lambda gross: commission_ugx(gross, Decimal(5)),  # the template's CommissionPercent
    )
    monkeypatch.setattr(wiring, "worker", lambda: deps)

    sales, payouts, pdf = (
        _request(run, farmer, k, f) for k, f in (("sales", "csv"), ("payouts", "csv"), ("sales", "pdf"))
    )
    assert {sales["status"], payouts["status"], pdf["status"]} == {"queued"}
    assert _get(run, farmer, sales["id"]).get("download_url") is None  # not before it is ready
    batch = events.sqs_event(*({"report_id": r["id"]} for r in (sales, payouts, pdf)))
    assert run("ReportsWorkerFunction", batch)["batchItemFailures"] == []

    s3 = boto3.client("s3")
    bucket = deployment.physical["ReportsBucket"]

    def download(report: dict[str, Any]) -> bytes:
        found = _get(run, farmer, report["id"])
        assert found["status"] == "ready" and found["download_url"], found
        assert f"reports/{farmer.id}/{report['id']}.{report['format']}" in found["download_url"]
        body: bytes = s3.get_object(
            Bucket=bucket, Key=f"reports/{farmer.id}/{report['id']}.{report['format']}"
        )["Body"].read()
        return body

    # the ledger's own answer, summed from the journal entries
    due = journal_sum(tables, f"farmer:{farmer.id}")
    paid_out = journal_sum(tables, f"settled:{farmer.id}")
    fees = journal_sum(tables, "platform:fees")
    net_sales = due + paid_out  # every shilling credited to the farmer's account by the two sales
    assert (net_sales, paid_out, fees) == (161_501, 114_000, 8_500)

    rows = list(csv.DictReader(io.StringIO(download(sales).decode("utf-8"))))
    total = rows[-1]
    assert total["date"] == "total" and [r["order_id"] for r in rows[:-1]] == sorted(
        completed, key=lambda o: o
    )
    assert int(total["net_ugx"]) == net_sales == sum(int(r["net_ugx"]) for r in rows[:-1])
    assert int(total["commission_ugx"]) == fees
    assert int(total["gross_ugx"]) == net_sales + fees == 170_001
    assert _get(run, farmer, sales["id"])["total_ugx"] == net_sales
    assert _get(run, farmer, sales["id"])["rows"] == 2

    rows = list(csv.DictReader(io.StringIO(download(payouts).decode("utf-8"))))
    total = rows[-1]
    assert int(total["paid_out_ugx"]) == paid_out == _get(run, farmer, payouts["id"])["total_ugx"]
    assert int(total["net_ugx"]) == due  # sales less what was paid out: what Soko still owes
    assert int(total["fee_ugx"]) == fees

    body = download(pdf)
    assert body.startswith(b"%PDF-")

    # a redelivered message neither rebuilds nor rewrites a ready report
    before = s3.head_object(Bucket=bucket, Key=f"reports/{farmer.id}/{sales['id']}.csv")["ETag"]
    ready_at = _get(run, farmer, sales["id"])["ready_at"]
    assert (
        run("ReportsWorkerFunction", events.sqs_event({"report_id": sales["id"]}))["batchItemFailures"] == []
    )
    assert _get(run, farmer, sales["id"])["ready_at"] == ready_at
    assert s3.head_object(Bucket=bucket, Key=f"reports/{farmer.id}/{sales['id']}.csv")["ETag"] == before
