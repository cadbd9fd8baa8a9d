"""Earnings, monthly statements and receipts through the template's functions, after a scripted
pay -> complete -> settle flow against the sandbox PesaPal: the numbers reconcile with the ledger
(summed here independently, from the journal entries themselves), farmers only, bad months are
400, someone else's receipt is 404; and the money trail the marketplace will show."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zlib
from typing import Any

import boto3
from test_payments import deliver, initiate, paid_order

from soko.payments import statements
from soko.payments.public import PaymentsReads
from soko_local.provision import Deployment
from support.events import order_detail
from support.gateway import http_event
from support.lambda_env import Invoke
from support.payments import Tables
from support.sandbox import SandboxServer
from support.users import User, new_user

CONSUMER = "PaymentsOrderEventsConsumerFunction"


def completed(order_id: str, n: int) -> dict[str, Any]:
    return {
        "source": "soko.orders",
        "detail_type": "OrderCompleted",
        "detail": json.dumps(
            {
                "schema_version": 1,
                "event_id": f"01JD00000000000000000S{n:04d}",
                "occurred_at": "2026-11-21T09:30:00Z",
                **order_detail(order_id, completed_at="2026-11-21T09:30:00Z"),
            }
        ),
    }


def get(run: Invoke, function: str, path: str, user: User, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = run(function, http_event(function, "GET", path, context=user.context, **kwargs))
    return result


def statement(run: Invoke, farmer: User, month: str, fmt: str | None = None) -> dict[str, Any]:
    query = {"format": fmt} if fmt else None
    path = f"/payments/statements/{month}"
    return get(run, "PaymentsStatementFunction", path, farmer, params={"month": month}, query=query)


def receipt(run: Invoke, user: User, order_id: str) -> dict[str, Any]:
    path = f"/payments/receipts/{order_id}"
    return get(run, "PaymentsReceiptFunction", path, user, params={"order_id": order_id})


def journal_sum(tables: Tables, account: str) -> int:
    """The ledger's own answer: every journal entry's postings on ``account``, added up."""
    return sum(
        int(p["amount"])
        for i in tables.all_payments_items()
        if str(i["pk"]).startswith("JOURNAL#")
        for p in i["postings"]
        if p["account"] == account
    )


def scripted_month(run: Invoke, server: SandboxServer, tables: Tables) -> tuple[User, User, list[str]]:
    """One farmer: order 1 paid, completed and settled; order 2 paid and completed (due); order 3
    paid (held in escrow)."""
    buyer, farmer, first, _ = paid_order(run, server, tables, total=120_000)
    deliver(run, CONSUMER, [completed(first, 1)])
    assert run("PaymentsSettlementFunction", {})["settled"] == 1
    orders = [first]
    for total, n in ((50_001, 2), (30_000, 3)):
        order_id = tables.put_order(buyer, farmer, total)
        code, payment = initiate(run, buyer, order_id)
        assert code == 201, payment
        server.post(f"/pesapal/{payment['order_tracking_id']}/complete")
        if n == 2:
            deliver(run, CONSUMER, [completed(order_id, n)])
        orders.append(order_id)
    return buyer, farmer, orders


def test_statements_and_earnings_reconcile_with_the_ledger(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    _, farmer, orders = scripted_month(run, server, tables)
    month = statements.this_month().strftime("%Y-%m")
    due = journal_sum(tables, f"farmer:{farmer.id}")
    paid = journal_sum(tables, f"settled:{farmer.id}")
    held = sum(journal_sum(tables, f"escrow:{o}") for o in orders)
    assert (due, paid, held) == (47_501, 114_000, 30_000)
    assert tables.balances()[f"farmer:{farmer.id}"] == due

    # earnings
    result = get(
        run, "PaymentsEarningsFunction", "/payments/earnings", farmer, query={"from": month, "to": month}
    )
    assert result["statusCode"] == 200, result
    earnings = json.loads(result["body"])
    [row] = earnings["months"]
    assert (row["held_in_escrow_ugx"], row["due_ugx"], row["paid_out_ugx"]) == (held, due, paid)
    assert row["fees_ugx"] == 6_000 + 2_500 and row["gross_ugx"] == 170_001 and row["net_ugx"] == 161_501
    assert row["paid_in_ugx"] == 200_001
    assert (earnings["held_in_escrow_ugx"], earnings["due_ugx"]) == (held, due)

    # the CSV statement
    result = statement(run, farmer, month, "csv")
    assert result["statusCode"] == 200, result
    assert result["headers"]["Content-Type"].startswith("text/csv")
    assert result["headers"]["Content-Disposition"] == f'attachment; filename="soko-statement-{month}.csv"'
    rows = list(csv.DictReader(io.StringIO(result["body"])))
    assert (rows[0]["kind"], rows[-1]["kind"]) == ("opening_balance", "closing_balance")
    # entries within one second are listed by kind (ledger times are to the second)
    movements = {(r["kind"], r["order_id"], r["net_ugx"]) for r in rows[1:-1]}
    assert len(rows) == 5 and movements == {
        ("paid_out", orders[0], "-114000"),
        ("sale", orders[0], "114000"),
        ("sale", orders[1], "47501"),
    }
    assert int(rows[0]["balance_ugx"]) == 0
    assert int(rows[-1]["balance_ugx"]) == due == sum(int(r["net_ugx"]) for r in rows[1:-1])
    assert int(rows[-1]["fee_ugx"]) == journal_sum(tables, "platform:fees") == 8_500

    # the PDF statement: base64, as API Gateway passes it on
    result = statement(run, farmer, month, "pdf")
    assert result["statusCode"] == 200 and result["isBase64Encoded"] is True
    assert result["headers"]["Content-Type"] == "application/pdf"
    assert result["headers"]["Content-Disposition"] == f'attachment; filename="soko-statement-{month}.pdf"'
    assert base64.b64decode(result["body"]).startswith(b"%PDF-")


def test_statements_and_earnings_are_for_farmers_and_check_their_months(run: Invoke) -> None:
    farmer, buyer = new_user("farmer"), new_user("buyer")
    empty = statement(run, farmer, "2026-01")
    assert empty["statusCode"] == 200 and empty["body"].count("\r\n") == 3  # header, opening, closing
    assert statement(run, buyer, "2026-01")["statusCode"] == 403
    for bad in ("2026-13", "2026-1", "january", "2099-01", "2019-12"):
        result = statement(run, farmer, bad)
        assert (
            result["statusCode"] == 400 and json.loads(result["body"])["error"]["code"] == "INVALID_MONTH"
        ), bad
    assert statement(run, farmer, "2026-01", "xls")["statusCode"] == 422
    earnings = "PaymentsEarningsFunction"
    assert get(run, earnings, "/payments/earnings", buyer)["statusCode"] == 403
    ok = get(run, earnings, "/payments/earnings", farmer)
    assert ok["statusCode"] == 200 and len(json.loads(ok["body"])["months"]) == 6
    for query in (
        {"from": "2026-11", "to": "2026-10"},
        {"from": "2099-01"},
        {"to": "11-2026"},
        {"from": "2020-01"},
    ):
        result = get(run, earnings, "/payments/earnings", farmer, query=query)
        assert result["statusCode"] == 400, query


def test_the_buyer_gets_a_receipt_and_nobody_else_does(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer, order_id, payment = paid_order(run, server, tables, total=75_000)
    result = receipt(run, buyer, order_id)
    assert result["statusCode"] == 200 and result["isBase64Encoded"] is True, result
    assert result["headers"]["Content-Type"] == "application/pdf"
    assert result["headers"]["Content-Disposition"] == f'attachment; filename="soko-receipt-{order_id}.pdf"'
    assert base64.b64decode(result["body"]).startswith(b"%PDF-")
    unpaid = tables.put_order(buyer, farmer, 10_000)
    for who, order in ((farmer, order_id), (new_user("buyer"), order_id), (buyer, unpaid), (buyer, "NOPE")):
        result = receipt(run, who, order)
        assert (
            result["statusCode"] == 404 and json.loads(result["body"])["error"]["code"] == "RECEIPT_NOT_FOUND"
        )

    # the money trail the marketplace shows on GET /orders/{id}
    reads = PaymentsReads(tables.payments_name)
    assert reads.money_trail(unpaid).payment_status == "unpaid"
    deliver(run, CONSUMER, [completed(order_id, 9)])
    run("PaymentsSettlementFunction", {})
    trail = reads.money_trail(order_id)
    assert (trail.payment_status, trail.escrow, trail.amount_ugx, trail.payment_id) == (
        "completed",
        "released",
        75_000,
        payment["payment_id"],
    )
    assert [(m.kind, m.amount_ugx, m.to_farmer_ugx, m.fee_ugx) for m in trail.movements] == [
        ("paid", 75_000, 0, 0),
        ("released", 75_000, 71_250, 3_750),
        ("paid_out", 71_250, 71_250, 0),
    ]


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF's content streams (fpdf2 deflates them; zlib is the stdlib's)."""
    return "\n".join(
        zlib.decompress(stream).decode("latin-1")
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
        if stream.startswith(b"x")
    )


def test_a_luganda_speaking_farmer_gets_luganda_headings_and_their_name(
    run: Invoke, deployment: Deployment
) -> None:
    farmer = new_user("farmer")
    boto3.resource("dynamodb", region_name="us-east-1").Table(deployment.physical["UsersTable"]).put_item(
        Item={
            "pk": f"USER#{farmer.id}",
            "sk": "PROFILE",
            "id": farmer.id,
            "role": "farmer",
            "full_name": "Nakato Sarah",
            "language": "lg",
            "created_at": "2026-11-01T08:00:00Z",
            "updated_at": "2026-11-01T08:00:00Z",
        }
    )
    result = statement(run, farmer, "2026-11", "pdf")
    assert result["statusCode"] == 200, result
    content = pdf_text(base64.b64decode(result["body"]))
    assert "(Nakato Sarah)" in content and "(Omugatte)" in content and "(Totals)" not in content
    english = pdf_text(base64.b64decode(statement(run, new_user("farmer"), "2026-11", "pdf")["body"]))
    assert "(Totals)" in english
