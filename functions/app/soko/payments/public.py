"""What other domains may read of payments (with :mod:`soko.payments.events`, the only payments
modules they import). Payments owns the payments table: nobody else spells its keys.

Two reads: a farmer's ledger lines over a period (:meth:`PaymentsReads.farmer_ledger`), for the
analytics domain's payouts reports, with :func:`commission_ugx` (the commission rule a sales report
applies to an order's gross); and an order's money trail (:meth:`PaymentsReads.money_trail`),
which the marketplace shows on ``GET /orders/{id}`` to the order's buyer and farmer: the
payment's status and amount, where the money is (escrow), and each movement of it with its date,
read from the order's ledger entries (one ``Query``). The caller decides who may see it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from soko.payments.models import Escrow, PaymentStatus
from soko.shared import clock

__all__ = ["LedgerLine", "MoneyMovement", "MoneyTrail", "PaymentsReads", "commission_ugx", "trail"]


def commission_ugx(gross: int, percent: Decimal) -> int:
    """Soko's commission on a farmer's ``gross`` UGX, as the ledger's payouts charge it."""
    from soko.payments.ledger import commission  # noqa: PLC0415

    return commission(gross, percent)


class LedgerLine(BaseModel):
    """One ledger entry of a farmer's, as the farmer's account ``farmer:<id>`` saw it."""

    model_config = ConfigDict(frozen=True)

    date: str = Field(description="Date in Uganda (YYYY-MM-DD)")
    at: str = Field(description="Ledger time (UTC)")
    order_id: str
    kind: str = Field(description="sale, paid_out, fare, fare_returned, or another ledger kind")
    reference: str
    gross_ugx: int = Field(description="A sale: the escrow released (net + fee)")
    fee_ugx: int
    net_ugx: int = Field(description="The change of what Soko owes the farmer")
    paid_out_ugx: int = Field(description="Paid out to the farmer's mobile money")


# The ledger's entry kinds, as an order's parties read them.
MOVEMENTS = {
    "payment": "paid",  # the buyer's money into escrow
    "payout": "released",  # escrow to the farmer, less Soko's fee
    "settlement": "paid_out",  # to the farmer's mobile money
    "refund": "refund",  # escrow back to the buyer (or on its way: see to_buyer_ugx)
    "refunded": "refund_completed",  # a refund on its way reached the buyer
    "reversal": "reversed",  # the provider reversed the payment
}


class MoneyMovement(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str = Field(
        description="paid, released, paid_out, refund, refund_completed, reversed (or another ledger kind)"
    )
    at: str = Field(description="When (ISO 8601, UTC)")
    amount_ugx: int = Field(description="The money that moved")
    to_farmer_ugx: int = 0
    to_buyer_ugx: int = 0
    fee_ugx: int = 0


class MoneyTrail(BaseModel):
    model_config = ConfigDict(frozen=True)

    order_id: str
    payment_status: PaymentStatus | Literal["unpaid"]
    payment_id: str | None = None
    amount_ugx: int = 0
    escrow: Escrow = "none"
    paid_at: str | None = None
    movements: list[MoneyMovement] = Field(default_factory=list)


def _movement(entry: dict[str, Any]) -> MoneyMovement:
    to_farmer = to_buyer = fee = moved = 0
    for posting in entry.get("postings", []):
        account, amount = str(posting["account"]), int(posting["amount"])
        if amount <= 0:
            continue
        moved += amount
        if account.startswith(("farmer:", "settled:")):
            to_farmer += amount
        elif account.startswith("buyer:"):
            to_buyer += amount
        elif account == "platform:fees":
            fee += amount
    kind = str(entry["kind"])
    return MoneyMovement(
        kind=MOVEMENTS.get(kind, kind),
        at=str(entry["at"]),
        amount_ugx=moved,
        to_farmer_ugx=to_farmer,
        to_buyer_ugx=to_buyer,
        fee_ugx=fee,
    )


def trail(
    order_id: str,
    attempt: dict[str, Any] | None,
    payment: dict[str, Any] | None,
    entries: list[dict[str, Any]],
) -> MoneyTrail:
    """The trail from the order's live attempt, its payment and its ledger entries (pure)."""
    if attempt is None or payment is None:
        return MoneyTrail(order_id=order_id, payment_status="unpaid")
    paid_at = next((str(h["at"]) for h in payment.get("history", []) if h.get("status") == "completed"), None)
    return MoneyTrail(
        order_id=order_id,
        payment_status=payment["status"],
        payment_id=str(payment["id"]),
        amount_ugx=int(payment["amount_ugx"]),
        escrow=payment.get("escrow", "none"),
        paid_at=paid_at,
        movements=[_movement(e) for e in sorted(entries, key=lambda e: str(e["sk"]))],
    )


class PaymentsReads:
    """Read-only access to payments."""

    def __init__(self, table_name: str):
        # Imported here: the market's models import this module for MoneyTrail alone, and every
        # market function would otherwise load the payments DAL at cold start.
        from soko.payments.dal import PaymentsDal  # noqa: PLC0415

        self._dal = PaymentsDal(table_name)

    def money_trail(self, order_id: str) -> MoneyTrail:
        """The order's money trail ("unpaid" when no payment attempt was made; a pending or failed
        attempt shows its status). No caller check: the caller decides who sees it."""
        attempt = self._dal.get_attempt(order_id)
        payment = self._dal.get_payment(str(attempt["payment_id"])) if attempt else None
        entries = self._dal.order_entries(order_id) if payment else []
        return trail(order_id, attempt, payment, entries)

    def farmer_ledger(self, farmer_id: str, from_date: date, to_date: date) -> list[LedgerLine]:
        """The farmer's ledger entries dated ``from_date`` to ``to_date`` (Uganda days, inclusive)
        that moved their account or paid them out, oldest first (one ``Query``)."""
        from soko.payments import statements  # noqa: PLC0415

        end = clock.iso(
            datetime(to_date.year, to_date.month, to_date.day, tzinfo=statements.EAT) + timedelta(days=1)
        )
        lines = []
        for item in self._dal.farmer_entries(farmer_id, end):
            e = statements.effect(item, farmer_id)
            day = statements._local(e.at).date()
            if day < from_date or (e.due == 0 and e.paid == 0):
                continue
            fee = e.fee if e.due > 0 else 0
            lines.append(
                LedgerLine(
                    date=day.isoformat(),
                    at=e.at,
                    order_id=e.order_id,
                    kind=statements.KINDS.get(e.kind, e.kind),
                    reference=e.reference,
                    gross_ugx=e.due + fee if e.due else 0,
                    fee_ugx=fee,
                    net_ugx=e.due,
                    paid_out_ugx=e.paid,
                )
            )
        return sorted(lines, key=lambda line: (line.at, line.net_ugx < 0))
