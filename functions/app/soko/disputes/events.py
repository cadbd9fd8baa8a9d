"""Dispute event contracts (source ``soko.disputes``).

``DisputeResolved`` is what the market (the order's final status) and payments (the escrow's
release, refund or split) act on. Money is integer UGX: ``buyer_amount_ugx`` goes back to the buyer,
the rest of the order's total is released to the farmer (less the commission), and the two add up
to ``total_ugx``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from soko.shared.audit import AdminAction
from soko.shared.events import EventDetail

Outcome = Literal["release", "refund", "split"]


class DisputeResolved(EventDetail):
    SOURCE: ClassVar[str] = "soko.disputes"
    DETAIL_TYPE: ClassVar[str] = "DisputeResolved"

    dispute_id: str
    order_id: str
    buyer_id: str
    farmer_id: str
    outcome: Outcome
    total_ugx: int = Field(ge=0)
    buyer_amount_ugx: int = Field(ge=0)
    farmer_amount_ugx: int = Field(ge=0)
    reason: str
    resolved_by: str
    resolved_at: str

    @model_validator(mode="after")
    def _adds_up(self) -> DisputeResolved:
        if self.buyer_amount_ugx + self.farmer_amount_ugx != self.total_ugx:
            raise ValueError("buyer_amount_ugx + farmer_amount_ugx must equal total_ugx")
        expected = {"release": self.buyer_amount_ugx == 0, "refund": self.farmer_amount_ugx == 0}
        if not expected.get(self.outcome, True):
            raise ValueError(f"a {self.outcome} outcome does not fit those amounts")
        return self


class AdminActionTaken(AdminAction):
    SOURCE: ClassVar[str] = "soko.disputes"
    DETAIL_TYPE: ClassVar[str] = "AdminActionTaken"


CONTRACTS: tuple[type[EventDetail], ...] = (DisputeResolved, AdminActionTaken)
