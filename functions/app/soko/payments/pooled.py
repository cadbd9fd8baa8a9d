"""Paying a pooled order's members (issue 18; docs/aggregation.md "Paying a pooled order's members").

An order of a cooperative's pooled listing is paid out, not to its farmer (the coop manager who
published the pool), but to the members who supply it and to the coop's fee payee. The money, in
whole shillings (pure: :func:`split`):

- ``net`` = the produce released to the farmer's side (``gross``) less Soko's commission and any
  transport fare out of the farmer's proceeds (:class:`soko.payments.ledger.Closing`'s
  ``farmer_net``);
- the coop's fee = ``net`` x ``fee_percent`` / 100, rounded half up;
- the members share ``net`` - fee in proportion to their allocated grams, largest remainder: each
  gets the floor of their exact share, and the shillings left go one each to the largest fractional
  parts (ties: the order the shares are listed).

So ``sum(members) + fee == net`` and, with the commission and the fare, the escrow's produce to the
shilling.

The ledger (:func:`split_entry`): the escrow is released to the order's farmer's account as for any
order (``payout``: escrow -> ``farmer:<manager>`` + commission), then one ``coop_split`` entry moves
each member's share (and the fee, when its payee is not the manager) out of that account; the fee
stays with the manager when the manager is the payee. Each member and the fee payee get a payout
record the settlement batch pays (``farmer:<id>`` -> ``settled:<id>``), so every account returns to
zero once settled.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict

from soko.payments.ledger import Entry, Posting, farmer

# A pooled payout is one DynamoDB transaction (at most 100 items): per member about five items (a
# payout, its event, a posting, a balance and a statement copy) besides the order's own.
MAX_MEMBERS = 15


class MemberPay(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: str
    grams: int
    amount: int


class PooledPay(BaseModel):
    model_config = ConfigDict(frozen=True)

    net: int
    fee: int
    members: list[MemberPay]


class SplitNotReady(RuntimeError):
    """The coop has not recorded the order's allocation yet: the event is retried (SQS)."""


class SplitTooLarge(RuntimeError):
    """More members than one transaction can pay (see MAX_MEMBERS): the event lands in the DLQ."""


def split(net: int, fee_percent: Decimal, shares: list[tuple[str, int]]) -> PooledPay:
    """``net`` shared as the module says; ``shares``: (member id, grams), grams > 0 in total."""
    if net < 0:
        raise ValueError("a negative net")
    total_g = sum(grams for _, grams in shares)
    if total_g <= 0 or any(grams < 0 for _, grams in shares):
        raise ValueError("a pooled order's shares must have grams")
    fee = int((Decimal(net) * fee_percent / 100).quantize(Decimal(1), ROUND_HALF_UP))
    fee = min(fee, net)
    pool = net - fee
    floors = [pool * grams // total_g for _, grams in shares]
    remainders = [pool * grams % total_g for _, grams in shares]
    left = pool - sum(floors)
    for index in sorted(range(len(shares)), key=lambda i: (-remainders[i], i))[:left]:
        floors[index] += 1
    return PooledPay(
        net=net,
        fee=fee,
        members=[
            MemberPay(member_id=member_id, grams=grams, amount=amount)
            for (member_id, grams), amount in zip(shares, floors, strict=True)
        ],
    )


def split_entry(reference: str, farmer_id: str, fee_payee_id: str, pay: PooledPay) -> Entry | None:
    """The ``coop_split`` entry: each member's share (and a fee paid to someone else than the
    order's farmer) out of ``farmer:<farmer_id>``; None when nothing leaves that account."""
    own = farmer(farmer_id)
    amounts: dict[str, int] = {}
    for member in pay.members:
        account = farmer(member.member_id)
        amounts[account] = amounts.get(account, 0) + member.amount
    if fee_payee_id != farmer_id:
        amounts[farmer(fee_payee_id)] = amounts.get(farmer(fee_payee_id), 0) + pay.fee
    amounts.pop(own, None)  # what is the farmer's own (a manager who is a member) stays there
    postings = [Posting(account=account, amount=amount) for account, amount in amounts.items() if amount]
    if not postings:
        return None
    postings.append(Posting(account=own, amount=-sum(p.amount for p in postings)))
    return Entry(kind="coop_split", reference=reference, postings=postings)
