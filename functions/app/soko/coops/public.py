"""What other domains may read of cooperatives: payments asks for a completed pooled order's split.

``CoopReads(table_name).payout_split(order_id) -> PayoutSplit | None``: None for an order that is
not a pooled listing's; else the coop, its fee percent, the account its fee is paid to (the manager
who published the pool) and each member's allocated grams (summing to the order's grams). Payments
computes the money (docs/aggregation.md): net = gross - commission; the coop's fee = net x fee
percent, rounded half up; the rest is shared by grams, largest remainder, so the shares add up to
the net to the shilling.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

__all__ = ["CoopReads", "MemberShare", "PayoutSplit"]


class MemberShare(BaseModel):
    model_config = ConfigDict(frozen=True)

    member_id: str
    grams: int


class PayoutSplit(BaseModel):
    model_config = ConfigDict(frozen=True)

    coop_id: str
    order_id: str
    fee_percent: Decimal
    fee_payee_id: str
    shares: list[MemberShare]


class CoopReads:
    """Implemented by the coops helper over the coops table (``soko.coops.dal``)."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def payout_split(self, order_id: str) -> PayoutSplit | None:
        """One consistent read of the order's allocation header (written once, in the allocation's
        transaction, with the shares in allocation order: earliest commitment first). None when the
        order is not allocated (not a pool's, or still in flight) or was released."""
        from soko.coops.dal import CoopsDal  # noqa: PLC0415

        header = CoopsDal(self.table_name).order(order_id)
        if header is None or header.get("status") == "released":
            return None
        return PayoutSplit(
            coop_id=header["coop_id"],
            order_id=order_id,
            fee_percent=Decimal(str(header["fee_percent"])),
            fee_payee_id=header["fee_payee_id"],
            shares=[MemberShare(member_id=s["member_id"], grams=int(s["grams"])) for s in header["shares"]],
        )
