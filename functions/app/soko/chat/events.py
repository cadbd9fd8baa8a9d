"""Chat's event contract (source ``soko.messaging``): the ML layer's ``buyer_inquiry`` interaction."""

from __future__ import annotations

from typing import ClassVar, Literal

from soko.shared.events import EventDetail


class BuyerInquired(EventDetail):
    """A buyer wrote to a farmer for the first time (an interaction signal for matching)."""

    SOURCE: ClassVar[str] = "soko.messaging"
    DETAIL_TYPE: ClassVar[str] = "BuyerInquired"

    interaction: Literal["buyer_inquiry"] = "buyer_inquiry"
    buyer_id: str
    farmer_id: str
    listing_id: str | None = None
    conversation_id: str


CONTRACTS: tuple[type[EventDetail], ...] = (BuyerInquired,)
