"""The double-entry ledger (pure): every movement is a journal entry whose postings sum to zero.

Accounts (integer UGX; a debit is negative, a credit positive):

- ``buyer:<user>``: money a buyer paid in (negative) or got back.
- ``escrow:<order>``: a paid order's money until it is paid out, refunded or split (a frozen
  escrow, under dispute, stays here).
- ``refund:<payment>``: a refund on its way back to the buyer, credited when the refund is
  recorded and emptied when the provider accepted it (or an admin recorded it as settled outside
  Soko).
- ``farmer:<user>``: what Soko owes a farmer (payouts scheduled, not yet settled).
- ``platform:fees``: Soko's commission.
- ``settled:<user>``: what was paid out to a farmer.

Entry kinds, each written once per ``(kind, reference)``:

| kind | reference | postings |
|---|---|---|
| ``payment`` | payment | buyer -> escrow (1) |
| ``collected`` | payment | buyer -> refund (2) |
| ``reversal`` | payment | escrow -> buyer (the provider reversed the payment) |
| ``refund`` | payment | escrow -> refund (3) |
| ``refunded`` | payment | refund -> buyer (the provider accepted it, or it was settled outside) |
| ``payout`` | payout | escrow -> farmer (less the commission) + platform:fees (4) |
| ``settlement`` | payout | farmer -> settled |

(1) a completed payment; also an expired attempt paid late, and an amount mismatch an admin
accepted (for the amount collected). (2) money a provider collected that never matched its order,
refunded by an admin. (3) a cancelled, rejected or expired order, a late payment for an order paid
by another attempt, a dispute's refund or the buyer's part of a split. (4) a completed order, a
dispute's release or the farmer's part of a split.

Commission is charged on what the farmer is paid, rounded half up to a whole shilling: on a split,
on the farmer's part only (the buyer's part carries none), so ``fee = commission(farmer part)``.

Every account starts at zero and every entry balances, so the sum of all accounts is zero at all
times; an order's escrow is zero again once its money was paid out, refunded or split, and a
refund account once the provider accepted the refund.
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


def refunding(payment_id: str) -> str:
    return f"refund:{payment_id}"


ACCOUNT_KINDS = ("buyer", "escrow", "refund", "farmer", "settled", "platform")


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
    """A reversal: the escrow goes straight back to the buyer (the provider already returned it)."""
    return _transfer(kind, payment_id, escrow(order_id), buyer(buyer_id), amount)


def refund_requested(payment_id: str, order_id: str, amount: int) -> Entry:
    """A refund is recorded (before the provider is called): ``amount`` leaves the order's escrow."""
    return _transfer("refund", payment_id, escrow(order_id), refunding(payment_id), amount)


def collected_for_refund(payment_id: str, buyer_id: str, amount: int) -> Entry:
    """Money a provider collected that never matched its order, recorded as it is refunded."""
    return _transfer("collected", payment_id, buyer(buyer_id), refunding(payment_id), amount)


def refund_settled(payment_id: str, buyer_id: str, amount: int) -> Entry:
    """The provider accepted the refund (or it was settled outside Soko): the buyer has it back."""
    return _transfer("refunded", payment_id, refunding(payment_id), buyer(buyer_id), amount)


def split(gross: int, buyer_amount: int, percent: Decimal) -> tuple[int, int, int]:
    """A dispute's split of an escrow of ``gross``: (buyer's part, farmer's gross part, fee on the
    farmer's part). The buyer's part is capped at the escrow; commission only on the farmer's part."""
    to_buyer = max(0, min(buyer_amount, gross))
    to_farmer = gross - to_buyer
    return to_buyer, to_farmer, commission(to_farmer, percent)


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
