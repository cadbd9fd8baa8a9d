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


def _transfer(kind: str, reference: str, source: str, target: str, amount: int) -> Entry:
    """``amount`` moves from account ``source`` to account ``target``."""
    return Entry(
        kind=kind,
        reference=reference,
        postings=[Posting(account=source, amount=-amount), Posting(account=target, amount=amount)],
    )


def payment_received(payment_id: str, buyer_id: str, order_id: str, amount: int) -> Entry:
    return _transfer("payment", payment_id, buyer(buyer_id), escrow(order_id), amount)


def returned_to_buyer(kind: str, payment_id: str, buyer_id: str, order_id: str, amount: int) -> Entry:
    """A refund or a reversal: the escrow goes back to the buyer."""
    return _transfer(kind, payment_id, escrow(order_id), buyer(buyer_id), amount)


def payout_scheduled(payout_id: str, order_id: str, farmer_id: str, gross: int, fee: int) -> Entry:
    postings = [
        Posting(account=escrow(order_id), amount=-gross),
        Posting(account=farmer(farmer_id), amount=gross - fee),
    ]
    if fee:
        postings.append(Posting(account=FEES, amount=fee))
    return Entry(kind="payout", reference=payout_id, postings=postings)


def payout_settled(payout_id: str, farmer_id: str, net: int) -> Entry:
    return _transfer("settlement", payout_id, farmer(farmer_id), settled(farmer_id), net)
