"""Cooperatives' event contracts (source ``soko.coops``). Quantities in grams (int)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field

from soko.market.public import PriceTier
from soko.shared.events import EventDetail
from soko.shared.notices import Notice


class PoolPublished(EventDetail):
    """A manager published a pooled listing: the market creates listing ``listing_id`` (once) for
    ``manager_id`` with ``coop_id`` set and ``quantity_g`` in stock."""

    SOURCE: ClassVar[str] = "soko.coops"
    DETAIL_TYPE: ClassVar[str] = "PoolPublished"

    coop_id: str
    listing_id: str
    manager_id: str
    crop: str
    title: str
    district: str
    price_per_kg: int
    price_tiers: list[PriceTier] = Field(default_factory=list)
    description: str | None = None
    quantity_g: int


class CommitmentPooled(EventDetail):
    """A commitment joined a live pool: the market adds ``grams`` to the listing's stock (once per
    event id)."""

    SOURCE: ClassVar[str] = "soko.coops"
    DETAIL_TYPE: ClassVar[str] = "CommitmentPooled"

    coop_id: str
    listing_id: str
    commitment_id: str
    member_id: str
    grams: int


class Share(BaseModel):
    member_id: str
    grams: int


class OrderAllocated(EventDetail):
    SOURCE: ClassVar[str] = "soko.coops"
    DETAIL_TYPE: ClassVar[str] = "OrderAllocated"

    coop_id: str
    order_id: str
    listing_id: str
    shares: list[Share]


class CoopNoticeIssued(Notice):
    """Something a member must be told (their pooled order is paid), in English and Luganda: the
    notifications pipeline delivers it (SMS to a basic phone)."""

    SOURCE: ClassVar[str] = "soko.coops"
    DETAIL_TYPE: ClassVar[str] = "CoopNoticeIssued"
