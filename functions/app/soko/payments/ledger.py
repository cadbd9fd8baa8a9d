"""The double-entry ledger (pure): every movement is a journal entry whose postings sum to zero.

Accounts (integer UGX; a debit is negative, a credit positive):

- ``buyer:<user>``: money a buyer paid in (negative) or got back.
- ``escrow:<order>``: a paid order's money until it is paid out, refunded or split (a frozen
  escrow, under dispute, stays here).
- ``refund:<payment>``: a refund on its way back to the buyer, credited when the refund is
  recorded and emptied when the provider accepted it (or an admin recorded it as settled outside
  Soko).
- ``farmer:<user>``: what Soko owes a farmer (payouts scheduled, not yet settled).
- ``transporter:<user>``: what Soko owes a transporter (fares earned, not yet settled).
- ``platform:fees``: Soko's commission.
- ``settled:<user>``: what was paid out to a farmer or a transporter.

Entry kinds, each written once per ``(kind, reference)``:

| kind | reference | postings |
|---|---|---|
| ``payment`` | payment | buyer -> escrow (1) |
| ``collected`` | payment | buyer -> refund (2) |
| ``reversal`` | payment | escrow -> buyer (the provider reversed the payment) |
| ``refund`` | payment | escrow -> refund (3) |
| ``refunded`` | payment | refund -> buyer (the provider accepted it, or it was settled outside) |
| ``payout`` | payout | escrow -> farmer (less the commission) + platform:fees (4) |
| ``settlement`` | payout | farmer (or transporter) -> settled |
| ``fare`` | the transporter's payout | escrow and/or farmer -> transporter (5) |
| ``fare_held`` | payment | farmer -> escrow (6) |
| ``fare_released`` | payment | escrow -> farmer (6) |

(1) a completed payment; also an expired attempt paid late, and an amount mismatch an admin
accepted (for the amount collected). (2) money a provider collected that never matched its order,
refunded by an admin. (3) a cancelled, rejected or expired order, a late payment for an order paid
by another attempt, a dispute's refund or the buyer's part of a split. (4) a completed order, a
dispute's release or the farmer's part of a split.

(5) the fare of the order's delivered transport: out of the escrow for the part the buyer paid
with the order, out of the farmer's account for the rest (see :func:`closing`). (6) the farmer's part
of a fare kept in the escrow while the transport is still on the road when the order completes,
and given back to the farmer if it then does not deliver.

Commission is charged on what the farmer is paid, rounded half up to a whole shilling: on a split,
on the farmer's part only (the buyer's part carries none), so ``fee = commission(farmer part)``.

Commission is on the produce only, never on a fare; a transporter's payout carries no commission.

Every account starts at zero and every entry balances, so the sum of all accounts is zero at all
times; an order's escrow is zero again once its money was paid out, refunded or split, and a
refund account once the provider accepted the refund.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

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


def transporter(user_id: str) -> str:
    return f"transporter:{user_id}"


ACCOUNT_KINDS = ("buyer", "escrow", "refund", "farmer", "transporter", "settled", "platform")


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


def payout_settled(payout_id: str, farmer_id: str, net: int, *, payee: str = "farmer") -> Entry:
    """A payout settled in a batch: the payee's account (``farmer:`` or ``transporter:``) -> settled."""
    account = transporter(farmer_id) if payee == "transporter" else farmer(farmer_id)
    return _transfer("settlement", payout_id, account, settled(farmer_id), net)


def fare_paid(
    payout_id: str, order_id: str, transporter_id: str, *, from_escrow: int, from_farmer: int, farmer_id: str
) -> Entry:
    """The transporter earns the fare: ``from_escrow`` out of the order's escrow (what the buyer
    paid for transport, or what was held there), ``from_farmer`` out of the farmer's proceeds."""
    postings = []
    if from_escrow:
        postings.append(Posting(account=escrow(order_id), amount=-from_escrow))
    if from_farmer:
        postings.append(Posting(account=farmer(farmer_id), amount=-from_farmer))
    postings.append(Posting(account=transporter(transporter_id), amount=from_escrow + from_farmer))
    return Entry(kind="fare", reference=payout_id, postings=postings)


def fare_held(payment_id: str, order_id: str, farmer_id: str, amount: int) -> Entry:
    """The farmer's part of a fare kept in the escrow until the transport ends."""
    return _transfer("fare_held", payment_id, farmer(farmer_id), escrow(order_id), amount)


def fare_released(payment_id: str, order_id: str, farmer_id: str, amount: int) -> Entry:
    """A held fare's farmer part given back to the farmer: the transport did not deliver."""
    return _transfer("fare_released", payment_id, escrow(order_id), farmer(farmer_id), amount)


# ---------------------------------------------------------------------------- closing an escrow
Transport = Literal["delivered", "on_the_road", "none"]


class Closing(BaseModel):
    """How an order's escrow of ``amount`` (the produce + the fare the buyer paid with the order)
    is closed, in whole UGX: ``amount == to_buyer + farmer_gross + fare_from_escrow + held`` always.
    The escrow ends at zero, or at ``held + held_from_farmer`` while a transport is still on the
    road (``held_from_farmer`` moves from the farmer's account into it, entry ``fare_held``)."""

    to_buyer: int = 0  # back to the buyer now (one refund): the produce part + the unused fare
    produce_to_buyer: int = 0  # of which the produce part
    farmer_gross: int = 0  # the produce released to the farmer
    fee: int = 0  # the commission, on ``farmer_gross`` only
    fare_from_escrow: int = 0  # the fare paid to the transporter out of the buyer's fare
    fare_from_farmer: int = 0  # the rest of the fare, out of the farmer's net proceeds
    fare_unpaid: int = 0  # the part of a fare the farmer's net could not cover (never negative)
    held: int = 0  # the buyer's fare kept in the escrow: the transport is still on the road
    held_from_farmer: int = 0  # the farmer's part of that fare, kept in the escrow too

    @property
    def farmer_net(self) -> int:
        """What the farmer's payout pays: the produce less the commission and any fare."""
        return self.farmer_gross - self.fee - self.fare_from_farmer - self.held_from_farmer


def closing(
    amount: int,
    fare_paid: int,
    produce_to_buyer: int,
    percent: Decimal,
    *,
    transport: Transport = "none",
    fare_due: int = 0,
) -> Closing:
    """Close an escrow of ``amount`` (the produce + ``fare_paid``).

    - The produce (``amount - fare_paid``) is split as before: ``produce_to_buyer`` back to the
      buyer (capped), the rest to the farmer less the commission on that part (:func:`split`).
    - ``transport`` ``delivered``: the transporter earns ``fare_due`` (the delivered booking's
      fare): out of the buyer's fare first, the rest out of the farmer's net (never below zero: what
      the net cannot cover is ``fare_unpaid``); the buyer's fare not needed goes back to them.
    - ``on_the_road`` (the order completed while its booking is still active): the buyer's fare
      and the farmer's part of ``fare_due`` (capped at the farmer's net) stay in the escrow until
      the transport ends (:func:`fare_outcome`).
    - ``none`` (no transport, or one that did not deliver): the buyer's fare goes back to them.
    """
    produce = amount - fare_paid
    back, gross, fee = split(produce, produce_to_buyer, percent)
    net = gross - fee
    if transport == "delivered":
        from_escrow = min(fare_paid, fare_due)
        from_farmer = min(fare_due - from_escrow, net)
        return Closing(
            to_buyer=back + fare_paid - from_escrow,
            produce_to_buyer=back,
            farmer_gross=gross,
            fee=fee,
            fare_from_escrow=from_escrow,
            fare_from_farmer=from_farmer,
            fare_unpaid=fare_due - from_escrow - from_farmer,
        )
    if transport == "on_the_road":
        return Closing(
            to_buyer=back,
            produce_to_buyer=back,
            farmer_gross=gross,
            fee=fee,
            held=fare_paid,
            held_from_farmer=min(max(0, fare_due - fare_paid), net),
        )
    return Closing(to_buyer=back + fare_paid, produce_to_buyer=back, farmer_gross=gross, fee=fee)


class FareOutcome(BaseModel):
    """A held fare, once its transport ended."""

    to_transporter: int = 0  # the whole fare paid (out of the escrow)
    to_buyer: int = 0  # the buyer's fare not used, refunded
    to_farmer: int = 0  # the farmer's held part given back
    fare_unpaid: int = 0


def fare_outcome(held: int, held_from_farmer: int, fare_due: int, delivered: bool) -> FareOutcome:
    """Settle a held fare (``held`` of the buyer's, ``held_from_farmer`` of the farmer's, both in
    the escrow): a delivered transport is paid ``fare_due`` (the buyer's part first), the buyer gets
    back what was not used; otherwise the buyer gets their fare back and the farmer their part."""
    if not delivered:
        return FareOutcome(to_buyer=held, to_farmer=held_from_farmer)
    from_buyer = min(held, fare_due)
    from_farmer = min(fare_due - from_buyer, held_from_farmer)
    return FareOutcome(
        to_transporter=from_buyer + from_farmer,
        to_buyer=held - from_buyer,
        to_farmer=held_from_farmer - from_farmer,
        fare_unpaid=fare_due - from_buyer - from_farmer,
    )
