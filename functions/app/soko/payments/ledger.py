"""The double-entry ledger (pure): every movement is a journal entry whose postings sum to zero.

Accounts (integer UGX; a debit is negative, a credit positive):

| account | holds |
|---|---|
| ``buyer:<user>`` | money a buyer paid in (negative) or got back |
| ``escrow:<order>`` | a paid order's money until it completes or is refunded |
| ``farmer:<user>`` | what Soko owes a farmer (payouts scheduled, not yet settled) |
| ``platform:fees`` | Soko's commission |
| ``settled:<user>`` | what was paid out to a farmer |

Every account starts at zero and every entry balances, so the sum of all accounts is zero at all
times; an order's escrow is zero again once its money was paid out or refunded.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field, model_validator

FEES = "platform:fees"


class Posting(BaseModel):
    account: str = Field(min_length=3)
    amount: int


class Entry(BaseModel):
    kind: str
    reference: str
    postings: list[Posting] = Field(min_length=2)

    @model_validator(mode="after")
    def _balances(self) -> Entry:
        if sum(p.amount for p in self.postings) != 0:
            raise ValueError(f"journal entry {self.kind} does not balance")
        if any(p.amount == 0 for p in self.postings):
            raise ValueError("a posting of zero")
        return self


def buyer(user_id: str) -> str:
    return f"buyer:{user_id}"


def escrow(order_id: str) -> str:
    return f"escrow:{order_id}"


def farmer(user_id: str) -> str:
    return f"farmer:{user_id}"


def settled(user_id: str) -> str:
    return f"settled:{user_id}"


def commission(gross: int, percent: Decimal) -> int:
    """The platform's commission on ``gross`` UGX, rounded half up to a whole shilling."""
    return int((Decimal(gross) * percent / 100).quantize(Decimal(1), ROUND_HALF_UP))


def payment_received(payment_id: str, buyer_id: str, order_id: str, amount: int) -> Entry:
    return Entry(
        kind="payment",
        reference=payment_id,
        postings=[
            Posting(account=buyer(buyer_id), amount=-amount),
            Posting(account=escrow(order_id), amount=amount),
        ],
    )


def returned_to_buyer(kind: str, payment_id: str, buyer_id: str, order_id: str, amount: int) -> Entry:
    """A refund or a reversal: the escrow goes back to the buyer."""
    return Entry(
        kind=kind,
        reference=payment_id,
        postings=[
            Posting(account=escrow(order_id), amount=-amount),
            Posting(account=buyer(buyer_id), amount=amount),
        ],
    )


def payout_scheduled(payout_id: str, order_id: str, farmer_id: str, gross: int, fee: int) -> Entry:
    postings = [
        Posting(account=escrow(order_id), amount=-gross),
        Posting(account=farmer(farmer_id), amount=gross - fee),
    ]
    if fee:
        postings.append(Posting(account=FEES, amount=fee))
    return Entry(kind="payout", reference=payout_id, postings=postings)


def payout_settled(payout_id: str, farmer_id: str, net: int) -> Entry:
    return Entry(
        kind="settlement",
        reference=payout_id,
        postings=[
            Posting(account=farmer(farmer_id), amount=-net),
            Posting(account=settled(farmer_id), amount=net),
        ],
    )
