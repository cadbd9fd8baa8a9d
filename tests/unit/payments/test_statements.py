"""Earnings and monthly statements (pure): the arithmetic reconciles with the ledger, months are
Uganda's, the CSV's columns, the PDF's totals and headings, receipts and the money trail."""

from __future__ import annotations

import csv
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from soko.payments import documents, ledger, receipts, statements
from soko.payments.ledger import Entry
from soko.payments.ports import Reports
from soko.payments.public import trail
from soko.payments.statements import InvalidMonth
from soko.shared.errors import Forbidden, NotFound
from soko.shared.identity import Caller

FARMER = "01JDFARMER0000000000000001"
BUYER = "01JDBUYER00000000000000001"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
FEE = 5


def item(entry: Entry, at: str, order_id: str) -> dict[str, Any]:
    """A ledger entry as the farmer's and order's copies hold it."""
    return {
        "sk": f"ENTRY#{at}#{entry.kind}#{entry.reference}",
        "kind": entry.kind,
        "reference": entry.reference,
        "order_id": order_id,
        "postings": [p.model_dump() for p in entry.postings],
        "at": at,
    }


def sale(
    order_id: str, gross: int, paid_at: str, completed_at: str, settled_at: str | None = None
) -> list[dict[str, Any]]:
    fee = ledger.commission(gross, statements_fee())
    found = [
        item(ledger.payment_received(f"P{order_id}", BUYER, order_id, gross), paid_at, order_id),
        item(ledger.payout_scheduled(f"X{order_id}", order_id, FARMER, gross, fee), completed_at, order_id),
    ]
    if settled_at:
        found.append(item(ledger.payout_settled(f"X{order_id}", FARMER, gross - fee), settled_at, order_id))
    return found


def statements_fee() -> Decimal:
    return Decimal(FEE)


def refund(order_id: str, amount: int, paid_at: str, refunded_at: str) -> list[dict[str, Any]]:
    return [
        item(ledger.payment_received(f"P{order_id}", BUYER, order_id, amount), paid_at, order_id),
        item(
            ledger.returned_to_buyer("refund", f"P{order_id}", BUYER, order_id, amount), refunded_at, order_id
        ),
    ]


# October: one sale of 50,000 (fee 2,500). November: its payout settled, a sale of 120,000 (fee
# 6,000) settled on the 20th, one of 50,001 (fee 2,500) not yet settled, a refund, and a payment
# still in escrow. A payment at 22:00 UTC on November 30th is December in Kampala.
ENTRIES = sorted(
    [
        *sale("O1", 50_000, "2026-10-20T08:00:00Z", "2026-10-25T08:00:00Z", "2026-11-02T06:00:00Z"),
        *sale("O2", 120_000, "2026-11-05T08:00:00Z", "2026-11-09T08:00:00Z", "2026-11-20T06:00:00Z"),
        *sale("O3", 50_001, "2026-11-10T08:00:00Z", "2026-11-28T08:00:00Z"),
        *refund("O4", 7_000, "2026-11-11T08:00:00Z", "2026-11-12T08:00:00Z"),
        item(ledger.payment_received("PO5", BUYER, "O5", 30_000), "2026-11-15T08:00:00Z", "O5"),
        item(ledger.payment_received("PO6", BUYER, "O6", 9_000), "2026-11-30T22:00:00Z", "O6"),
    ],
    key=lambda i: i["sk"],
)


def ledger_sum(account_prefix: str, before: str) -> int:
    """The ledger's own answer: the sum of the postings on the accounts, before a UTC time."""
    return sum(
        int(p["amount"])
        for i in ENTRIES
        if i["at"] < before
        for p in i["postings"]
        if p["account"].startswith(account_prefix)
    )


@dataclass
class FakeLedger:
    entries: list[dict[str, Any]] = field(default_factory=lambda: list(ENTRIES))
    attempts: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)

    def farmer_entries(self, farmer_id: str, before: str, *, owner: str = "FARMER") -> list[dict[str, Any]]:
        self.reads.append(before)
        mine = owner == "FARMER" and farmer_id == FARMER
        return [i for i in self.entries if i["sk"] <= f"ENTRY#{before}"] if mine else []

    def order_entries(self, order_id: str) -> list[dict[str, Any]]:
        return [i for i in self.entries if i["order_id"] == order_id]

    def get_attempt(self, order_id: str) -> dict[str, Any] | None:
        return self.attempts.get(order_id)

    def get_payment(self, payment_id: str) -> dict[str, Any] | None:
        return self.payments.get(payment_id)


@dataclass(frozen=True)
class Order:
    id: str
    buyer_id: str = BUYER
    farmer_id: str = FARMER
    status: str = "completed"
    total_ugx: int = 120_000
    title: str = "Maize grain, 100 kg"


def reports(dal: FakeLedger | None = None, language: str = "en") -> Reports:
    return Reports(dal=dal or FakeLedger(), order=Order, language=lambda _: language)


farmer = Caller(user_id=FARMER, role="farmer", email="f@example.com")
buyer = Caller(user_id=BUYER, role="buyer", email="b@example.com")


# ---------------------------------------------------------------------------- months
@pytest.mark.parametrize(
    "text",
    ["", "2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", "x" * 500, "2019-12", "0000-01"],
)
def test_a_month_that_is_not_yyyy_mm_is_400(text: str) -> None:
    with pytest.raises(InvalidMonth) as raised:
        statements.parse_month(text, "month", NOW)
    assert raised.value.status == 400


def test_a_future_month_is_400_and_this_month_is_not() -> None:
    assert statements.parse_month("2026-12", "month", NOW) == date(2026, 12, 1)
    with pytest.raises(InvalidMonth, match="future"):
        statements.parse_month("2027-01", "month", NOW)
    # 21:30 UTC on December 31st is already January in Kampala
    assert statements.parse_month("2027-01", "m", datetime(2026, 12, 31, 21, 30, tzinfo=UTC)) == date(
        2027, 1, 1
    )


def test_months_are_ugandas() -> None:
    assert statements.start_utc(date(2026, 11, 1)) == "2026-10-31T21:00:00Z"
    assert statements.local_month("2026-11-30T20:59:59Z") == "2026-11"
    assert statements.local_month("2026-11-30T21:00:00Z") == "2026-12"


# ---------------------------------------------------------------------------- statement arithmetic
def test_the_statement_reconciles_with_the_ledger_to_the_shilling() -> None:
    dal = FakeLedger()
    s = statements.statement(farmer, "2026-11", reports(dal), NOW)
    start, end = "2026-10-31T21:00:00Z", "2026-11-30T21:00:00Z"
    assert dal.reads == [end]
    assert s.opening_balance_ugx == ledger_sum(f"farmer:{FARMER}", start) == 47_500
    assert s.closing_balance_ugx == ledger_sum(f"farmer:{FARMER}", end) == 47_501
    assert s.closing_balance_ugx == s.opening_balance_ugx + s.total_net_ugx
    assert s.total_net_ugx == sum(line.net_ugx for line in s.lines)
    assert s.paid_out_ugx == ledger_sum(f"settled:{FARMER}", end) - ledger_sum(f"settled:{FARMER}", start)
    assert s.held_in_escrow_ugx == ledger_sum("escrow:", end) == 30_000
    fees = ledger_sum("platform:fees", end) - ledger_sum("platform:fees", start)
    assert s.total_fees_ugx == fees == 6_000 + 2_500
    assert [(line.kind, line.order_id, line.gross_ugx, line.fee_ugx, line.net_ugx) for line in s.lines] == [
        ("paid_out", "O1", -47_500, 0, -47_500),
        ("sale", "O2", 120_000, 6_000, 114_000),
        ("paid_out", "O2", -114_000, 0, -114_000),
        ("sale", "O3", 50_001, 2_500, 47_501),
    ]
    assert [line.balance_ugx for line in s.lines] == [0, 114_000, 0, 47_501]
    assert s.weekly_net() == [0, 114_000, 0, 47_501, 0]


def test_a_month_without_movements_carries_its_balance_and_other_farmers_see_nothing() -> None:
    s = statements.statement(farmer, "2026-09", reports(), NOW)
    assert (s.opening_balance_ugx, s.lines, s.closing_balance_ugx) == (0, [], 0)
    december = statements.statement(farmer, "2026-12", reports(), NOW)
    assert december.opening_balance_ugx == december.closing_balance_ugx == 47_501
    assert december.held_in_escrow_ugx == 39_000
    other = Caller(user_id="01JDOTHER", role="both", email="o@example.com")
    assert statements.statement(other, "2026-11", reports(), NOW).lines == []


def test_only_farmers_and_transporters_have_statements_and_earnings() -> None:
    with pytest.raises(Forbidden):
        statements.statement(buyer, "2026-11", reports(), NOW)
    with pytest.raises(Forbidden):
        statements.earnings(buyer, None, None, reports(), NOW)


def test_the_csv_has_its_columns_and_reconciles_in_itself() -> None:
    s = statements.statement(farmer, "2026-11", reports(), NOW)
    rows = list(csv.DictReader(io.StringIO(statements.to_csv(s))))
    assert list(rows[0]) == list(statements.CSV_COLUMNS)
    assert rows[0]["kind"] == "opening_balance" and rows[0]["balance_ugx"] == "47500"
    assert rows[-1]["kind"] == "closing_balance" and rows[-1]["date"] == "2026-11-30"
    movements = rows[1:-1]
    assert len(movements) == 4
    assert sum(int(r["net_ugx"]) for r in movements) == int(rows[-1]["net_ugx"]) == s.total_net_ugx
    assert sum(int(r["fee_ugx"]) for r in movements) == int(rows[-1]["fee_ugx"]) == 8_500
    assert int(rows[0]["balance_ugx"]) + int(rows[-1]["net_ugx"]) == int(rows[-1]["balance_ugx"]) == 47_501
    assert all(int(r["gross_ugx"]) - int(r["fee_ugx"]) == int(r["net_ugx"]) for r in movements)


# ---------------------------------------------------------------------------- earnings
def test_earnings_by_month_reconcile_with_the_ledger() -> None:
    found = statements.earnings(farmer, "2026-10", "2026-12", reports(), NOW)
    by_month = {m.month: m for m in found.months}
    assert list(by_month) == ["2026-10", "2026-11", "2026-12"]
    october, november, december = by_month.values()
    assert (october.paid_in_ugx, october.gross_ugx, october.fees_ugx, october.net_ugx) == (
        50_000,
        50_000,
        2_500,
        47_500,
    )
    assert (october.held_in_escrow_ugx, october.due_ugx, october.paid_out_ugx) == (0, 47_500, 0)
    assert november.paid_in_ugx == 120_000 + 50_001 + 7_000 + 30_000
    assert (november.refunded_ugx, november.gross_ugx, november.fees_ugx) == (7_000, 170_001, 8_500)
    assert (
        november.paid_out_ugx == 47_500 + 114_000 == ledger_sum(f"settled:{FARMER}", "2026-11-30T21:00:00Z")
    )
    assert (november.held_in_escrow_ugx, november.due_ugx) == (30_000, 47_501)
    assert (december.paid_in_ugx, december.held_in_escrow_ugx, december.due_ugx) == (9_000, 39_000, 47_501)
    assert found.fees_ugx == ledger_sum("platform:fees", "9999") == 11_000
    assert found.due_ugx == ledger_sum(f"farmer:{FARMER}", "9999")
    assert found.held_in_escrow_ugx == ledger_sum("escrow:", "9999")


def test_earnings_default_to_six_months_and_check_their_range() -> None:
    found = statements.earnings(farmer, None, None, reports(), NOW)
    assert [m.month for m in found.months] == [
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-12",
    ]
    january = statements.earnings(farmer, None, "2026-01", reports(), NOW)
    assert (january.from_month, january.to_month) == ("2025-08", "2026-01")
    for start, end in [("2026-11", "2026-10"), ("2024-01", "2026-01"), ("2026-11", "2027-01"), ("bad", None)]:
        with pytest.raises(InvalidMonth):
            statements.earnings(farmer, start, end, reports(), NOW)


# ---------------------------------------------------------------------------- the PDF
def pdf_text(pdf: bytes) -> str:
    """The text of a PDF's content streams (fpdf2 deflates them; zlib is the stdlib's)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "\n".join(chunks)


def test_the_statement_pdf_shows_the_totals_the_balances_and_a_chart() -> None:
    s = statements.statement(farmer, "2026-11", reports(), NOW)
    pdf = documents.statement_pdf(s, "Agnes Achieng")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    content = pdf_text(pdf)
    assert (s.total_gross_ugx, s.total_fees_ugx, s.total_net_ugx) == (8_501, 8_500, 1)
    assert (s.earned_gross_ugx, s.earned_net_ugx, s.paid_out_ugx) == (170_001, 161_501, 161_500)
    for shown in ("Monthly statement - 2026-11", "Agnes Achieng", "UGX 47,500", "UGX 47,501", "Totals",
                  "8,501", "8,500", "1", "UGX 170,001 - 8,500 = 161,501", "UGX 161,500", "UGX 30,000",
                  "Net earnings by week", "114,000", "47,501"):  # fmt: skip
        assert f"({shown})" in content, shown
    assert content.count(" re f") >= 2  # the chart's bars: filled rectangles (weeks 2 and 4)


def test_a_luganda_farmers_statement_has_luganda_headings() -> None:
    s = statements.statement(farmer, "2026-11", reports(language="lg"), NOW)
    content = pdf_text(documents.statement_pdf(s))
    assert "(Lipoota y\\'omwezi - 2026-11)" in content or "(Lipoota y'omwezi - 2026-11)" in content
    assert "(Omugatte)" in content and "(Totals)" not in content
    assert all("en" in t for t in documents.TEXTS.values()) and all(
        "lg" in t for t in documents.TEXTS.values()
    )


def test_an_empty_statement_still_draws() -> None:
    s = statements.build_statement(FARMER, date(2026, 9, 1), [])
    assert "(No movements this month.)" in pdf_text(documents.statement_pdf(s, "\u014b name"))


# ---------------------------------------------------------------------------- receipts
def paid_dal(escrow: str = "held", status: str = "completed") -> FakeLedger:
    dal = FakeLedger()
    dal.attempts["O2"] = {"payment_id": "PO2", "state": "completed"}
    dal.payments["PO2"] = {
        "id": "PO2", "order_id": "O2", "buyer_id": BUYER, "farmer_id": FARMER, "amount_ugx": 120_000,
        "currency": "UGX", "provider": "pesapal", "status": status, "escrow": escrow, "tracking_id": "T-9",
        "confirmation_code": "MPESA-77", "updated_at": "2026-11-09T08:00:00Z",
        "history": [
            {"status": "pending", "at": "2026-11-05T07:59:00Z"},
            {"status": "completed", "at": "2026-11-05T08:00:00Z"},
        ],
    }  # fmt: skip
    return dal


def test_the_buyer_gets_a_receipt_of_a_paid_order() -> None:
    found = receipts.receipt(buyer, "O2", reports(paid_dal(), language="lg"))
    assert (found.amount_ugx, found.provider_reference, found.paid_at) == (
        120_000,
        "MPESA-77",
        "2026-11-05T08:00:00Z",
    )
    assert (found.method, found.state, found.title, found.language) == (
        "Mobile money (PesaPal)", "held", "Maize grain, 100 kg", "lg",
    )  # fmt: skip
    content = pdf_text(documents.receipt_pdf(found))
    for shown in (
        "O2",
        "UGX 120,000",
        "MPESA-77",
        "2026-11-05T08:00:00Z",
        "Soko",
        "(Lisiiti y",
        "(Ezikuumibwa Soko)",
    ):
        assert shown in content, shown


@pytest.mark.parametrize(
    ("who", "order_id", "dal"),
    [
        (farmer, "O2", paid_dal()),  # the farmer: the receipt is the buyer's
        (Caller(user_id="01JDSOMEONE", role="buyer", email="s@example.com"), "O2", paid_dal()),
        (buyer, "O9", paid_dal()),  # no such order
        (buyer, "O2", paid_dal(status="disputed")),
        (buyer, "../O2", paid_dal()),
    ],
)
def test_no_receipt_for_someone_elses_or_an_unpaid_order(who: Caller, order_id: str, dal: FakeLedger) -> None:
    with pytest.raises(NotFound) as raised:
        receipts.receipt(who, order_id, reports(dal))
    assert raised.value.code == "RECEIPT_NOT_FOUND"


# ---------------------------------------------------------------------------- the money trail
def test_the_money_trail_of_an_unpaid_and_of_a_paid_out_order() -> None:
    assert trail("O9", None, None, []).payment_status == "unpaid"
    dal = paid_dal(escrow="released")
    found = trail("O2", dal.attempts["O2"], dal.payments["PO2"], list(reversed(dal.order_entries("O2"))))
    assert (found.payment_status, found.escrow, found.amount_ugx, found.paid_at) == (
        "completed", "released", 120_000, "2026-11-05T08:00:00Z",
    )  # fmt: skip
    assert [(m.kind, m.at, m.amount_ugx, m.to_farmer_ugx, m.fee_ugx) for m in found.movements] == [
        ("paid", "2026-11-05T08:00:00Z", 120_000, 0, 0),
        ("released", "2026-11-09T08:00:00Z", 120_000, 114_000, 6_000),
        ("paid_out", "2026-11-20T06:00:00Z", 114_000, 114_000, 0),
    ]


def test_the_money_trail_of_a_refund() -> None:
    payment = {
        **paid_dal().payments["PO2"],
        "id": "PO4",
        "order_id": "O4",
        "escrow": "refunded",
        "amount_ugx": 7_000,
    }
    found = trail(
        "O4", {"payment_id": "PO4", "state": "completed"}, payment, FakeLedger().order_entries("O4")
    )
    assert [(m.kind, m.amount_ugx, m.to_buyer_ugx) for m in found.movements] == [
        ("paid", 7_000, 0),
        ("refund", 7_000, 7_000),
    ]


def test_within_one_second_credits_are_listed_first() -> None:
    """Ledger times are to the second: a payout of an earlier sale and a new sale in the same
    second list the sale first, whatever order they come in, so the running balance never dips."""
    same = "2026-11-09T08:00:00Z"
    entries = [
        item(ledger.payout_scheduled("XA", "OA", FARMER, 10_000, 500), "2026-11-01T08:00:00Z", "OA"),
        item(ledger.payout_settled("XA", FARMER, 9_500), same, "OA"),
        item(ledger.payout_scheduled("XB", "OB", FARMER, 20_000, 1_000), same, "OB"),
    ]
    effects = [statements.effect(i, FARMER) for i in entries]
    s = statements.build_statement(FARMER, date(2026, 11, 1), effects)
    assert [(line.kind, line.balance_ugx) for line in s.lines] == [
        ("sale", 9_500),
        ("sale", 28_500),
        ("paid_out", 19_000),
    ]
