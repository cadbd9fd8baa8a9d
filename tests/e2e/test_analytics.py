"""Issue 20's done-when, black-box against the real application as `make dev` runs it (the demo world
and the WFP prices loaded, as `make seed` leaves it), then a scripted day of trading
(`make trade-day`, ``soko_local.trading``) over HTTP:

- ``GET /admin/metrics`` matches the events exactly: the test counts them independently, through its
  own rule on the bus (every ``soko.*`` event into its own queue) and the trading script's tally;
- the lake holds every event of the day, and the documented GMV query (``gmv_by_day.sql``, the
  Athena workgroup's named query) run by DuckDB over the lake answers the dashboard's GMV;
- a farmer's CSV and PDF sales reports download, and their totals match the ledger.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from soko.analytics.dal.lake_duckdb import DuckDbLake, events_view
from soko.analytics.models import period_key
from soko_local import trading
from support.runtime import ROOT, RunningRuntime, running

TIMEOUT = 30
WAIT_SECONDS = 90
ADMIN = {"email": "admin@soko.ug", "password": "Matooke-Market-Dev-2026"}
# What the dashboard counts, by the event that counts it.
ORDER_EVENTS = {
    "OrderPlaced": "placed",
    "OrderConfirmed": "confirmed",
    "OrderCompleted": "completed",
    "OrderCancelled": "cancelled",
    "OrderRejected": "rejected",
    "OrderExpired": "expired",
    "OrderDisputed": "disputed",
}
PAYMENT_EVENTS = {"PaymentCompleted": "succeeded", "PaymentFailed": "failed", "PaymentExpired": "expired"}


def eventually(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    workdir = tmp_path_factory.mktemp("analytics")
    with running(ROOT / "template.yaml", workdir, "--no-watch", "--no-train") as runtime:
        yield runtime


class Capture:
    """The test's own copy of every event on the bus: a rule of its own into a queue of its own."""

    def __init__(self, runtime: RunningRuntime):
        self.sqs, events = runtime.client("sqs"), runtime.client("events")
        self.url = self.sqs.create_queue(QueueName="test-analytics-capture")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        bus = runtime.endpoints["outputs"]["EventBusName"]
        events.put_rule(
            Name="test-analytics-capture",
            EventBusName=bus,
            EventPattern=json.dumps({"source": [{"prefix": "soko."}]}),
        )
        events.put_targets(Rule="test-analytics-capture", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
        self.seen: dict[str, dict[str, Any]] = {}

    def drain(self) -> dict[str, dict[str, Any]]:
        while True:
            got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = got.get("Messages", [])
            if not messages:
                return self.seen
            for message in messages:
                event = json.loads(message["Body"])
                self.seen[event["id"]] = event
            self.sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )


def admin_headers(runtime: RunningRuntime, http: requests.Session) -> dict[str, str]:
    signed_in = http.post(f"{runtime.url}/auth/login", json=ADMIN, timeout=TIMEOUT)
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def metrics(
    runtime: RunningRuntime, http: requests.Session, headers: dict[str, str], day: str
) -> dict[str, Any]:
    reply = http.get(
        f"{runtime.url}/admin/metrics", params={"period": "day", "on": day}, headers=headers, timeout=TIMEOUT
    )
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def counts(view: dict[str, Any]) -> dict[str, int]:
    """The dashboard's figures this test checks, flattened."""
    figures = {f"orders.{k}": int(v) for k, v in view["orders"].items()}
    figures.update({f"payments.{k}": int(v) for k, v in view["payments"].items()})
    figures["gmv_ugx"] = int(view["gmv_ugx"])
    figures["completed_value_ugx"] = int(view["completed_value_ugx"])
    figures["new_users"] = int(view["new_users"])
    return figures


def event_counts(events: list[dict[str, Any]]) -> dict[str, int]:
    """The same figures, counted from the events themselves."""
    by_type = Counter(
        e["detail-type"] for e in events if e["source"] in ("soko.orders", "soko.payments", "soko.users")
    )
    figures = {f"orders.{name}": by_type[kind] for kind, name in ORDER_EVENTS.items()}
    figures.update({f"payments.{name}": by_type[kind] for kind, name in PAYMENT_EVENTS.items()})
    figures["gmv_ugx"] = sum(
        int(e["detail"]["amount_ugx"]) - int(e["detail"].get("fare_ugx") or 0)
        for e in events
        if e["detail-type"] == "PaymentCompleted"
    )
    figures["completed_value_ugx"] = sum(
        int(e["detail"]["total_ugx"]) for e in events if e["detail-type"] == "OrderCompleted"
    )
    figures["new_users"] = by_type["UserRegistered"]
    return figures


def lake_sql(lake: DuckDbLake, statement: str, params: list[str]) -> list[dict[str, Any]]:
    """An ad-hoc question to the lake, over the same ``events`` view as the named queries."""
    root = lake.sync()
    with duckdb.connect() as connection:
        events_view(connection, root)
        cursor = connection.execute(statement, params)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def pdf_text(document: bytes) -> str:
    """The text drawn on a PDF's pages (its content streams, inflated)."""
    parts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S):
        try:
            parts.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            parts.append(stream.decode("latin-1"))
    return "\n".join(parts)


def report(
    runtime: RunningRuntime, http: requests.Session, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    """Request a report, wait until it is ready: the ready report (with its download URL)."""
    asked = http.post(f"{runtime.url}/reports", json=body, headers=headers, timeout=TIMEOUT)
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "queued" and asked.json().get("download_url") is None

    def ready() -> dict[str, Any] | None:
        got = http.get(f"{runtime.url}/reports/{asked.json()['id']}", headers=headers, timeout=TIMEOUT)
        assert got.status_code == 200, got.text
        assert got.json()["status"] != "failed", got.text
        return dict(got.json()) if got.json()["status"] == "ready" else None

    return dict(eventually(ready, f"the {body['format']} report to be ready"))


def minus(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before.get(k, 0) for k in after}


def test_a_day_of_trading_in_the_metrics_the_lake_and_the_reports(
    world: RunningRuntime, tmp_path: Path
) -> None:
    http = requests.Session()
    headers = admin_headers(world, http)
    capture = Capture(world)
    day = period_key("day", datetime.now().astimezone())
    before = counts(metrics(world, http, headers, day))

    tally = trading.run(world.url, orders=20)
    assert tally.placed == 20 and tally.completed >= 10 and tally.disputed >= 1 and tally.payments_failed >= 1

    # The test's own count: every event of the scripted day, from its own rule on the bus.
    def captured_all() -> list[dict[str, Any]] | None:
        seen = list(capture.drain().values())
        placed = sum(1 for e in seen if e["detail-type"] == "OrderPlaced")
        reviews = sum(1 for e in seen if e["detail-type"] == "ReviewSubmitted")
        return seen if placed == tally.placed and reviews == tally.reviews else None

    events = eventually(captured_all, "the test's own copy of the day's events")
    assert day == period_key("day", datetime.now().astimezone()), (
        "the trading day straddled midnight EAT; run again"
    )
    own = event_counts(events)
    # The script's tally and the events agree (the events are what the script did)...
    assert own["orders.placed"] == tally.placed and own["orders.completed"] == tally.completed
    assert own["orders.rejected"] == tally.rejected and own["orders.cancelled"] == tally.cancelled
    assert own["orders.disputed"] == tally.disputed and own["payments.failed"] == tally.payments_failed
    assert own["payments.succeeded"] == tally.payments_succeeded and own["gmv_ugx"] == tally.gmv_ugx

    # ... and the dashboard moved by exactly what the events say, figure by figure.
    def dashboard_caught_up() -> dict[str, int] | None:
        delta = minus(counts(metrics(world, http, headers, day)), before)
        return delta if delta == own else None

    eventually(dashboard_caught_up, f"GET /admin/metrics to move by exactly {own}")
    view = metrics(world, http, headers, day)
    assert view["active_buyers"] >= len({o["buyer_id"] for o in tally.orders})
    assert view["active_farmers"] >= len({o["farmer_id"] for o in tally.orders})
    assert view["rates"]["fulfilment"] is not None and 0 < view["rates"]["fulfilment"] <= 1
    crops = {c["crop"] for c in view["top_crops"]}
    assert crops, "the day's paid orders appear among the top crops"
    assert any(g["district"] for g in view["coverage_gaps"]), "the empty searches appear as coverage gaps"

    # The lake holds every event of the day, and the GMV query over it answers the dashboard's GMV.
    lake = DuckDbLake(world.endpoints["outputs"]["LakeBucketName"], world.client("s3"), cache_dir=tmp_path)

    def lake_has_all() -> list[dict[str, Any]] | None:
        rows = lake_sql(lake, "SELECT id FROM events WHERE dt = ?", [day])
        ids = {r["id"] for r in rows}
        return rows if all(e["id"] in ids for e in events) else None

    eventually(lake_has_all, "every captured event in the lake")
    gmv = lake.query("gmv_by_day", [day, day])
    assert len(gmv) == 1 and int(gmv[0]["gmv_ugx"]) == view["gmv_ugx"] == before["gmv_ugx"] + tally.gmv_ugx
    by_type = {
        r["type"]: int(r["n"])
        for r in lake_sql(
            lake, "SELECT type, COUNT(DISTINCT id) AS n FROM events WHERE dt = ? GROUP BY type", [day]
        )
    }
    assert by_type.get("OrderPlaced", 0) == view["orders"]["placed"]
    assert by_type.get("PaymentCompleted", 0) == view["payments"]["succeeded"]
    assert by_type.get("UserRegistered", 0) == view["new_users"]

    # A farmer's sales report, as CSV and as PDF: its totals are the ledger's.
    farmer = next(o["farmer_id"] for o in tally.orders if o["outcome"] == "completed")
    theirs = [o for o in tally.orders if o["farmer_id"] == farmer and o["outcome"] == "completed"]
    trader = trading.Trader(world.url)
    token = next(a for a in (trader.account(name) for name, *_ in trading.FARMERS) if a.id == farmer)
    earnings = http.get(f"{world.url}/payments/earnings", headers=token.headers, timeout=TIMEOUT)
    assert earnings.status_code == 200, earnings.text
    ledger_net = int(earnings.json()["net_ugx"])  # what the ledger credited the farmer this month
    ledger_fees = int(earnings.json()["fees_ugx"])
    asked = {"kind": "sales", "from_date": day, "to_date": day}
    as_csv = report(world, http, token.headers, {**asked, "format": "csv"})
    as_pdf = report(world, http, token.headers, {**asked, "format": "pdf"})
    assert as_csv["rows"] == as_pdf["rows"] == len(theirs)
    assert as_csv["total_ugx"] == as_pdf["total_ugx"] == ledger_net

    table = list(
        csv.DictReader(io.StringIO(http.get(as_csv["download_url"], timeout=TIMEOUT).content.decode("utf-8")))
    )
    lines = [row for row in table if row["order_id"] in {o["id"] for o in theirs}]
    assert len(lines) == len(theirs)
    assert sum(int(r["gross_ugx"]) for r in lines) == sum(o["total_ugx"] for o in theirs)
    assert sum(int(r["commission_ugx"]) for r in lines) == ledger_fees
    assert sum(int(r["net_ugx"]) for r in lines) == ledger_net

    document = http.get(as_pdf["download_url"], timeout=TIMEOUT).content
    assert document.startswith(b"%PDF-")
    assert f"{ledger_net:,}" in pdf_text(document), "the PDF states the net total"
