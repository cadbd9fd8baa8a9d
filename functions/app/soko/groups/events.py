"""Bulk-buying groups' event contracts (source ``soko.groups``). Quantities in grams (int)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

from soko.shared.events import EventDetail
from soko.shared.notices import Notice


class MemberGrams(BaseModel):
    buyer_id: str
    grams: int


class GroupCompleted(EventDetail):
    """The group completed: the market creates one order per member at ``price_per_kg`` (once per
    group and buyer), confirmed and awaiting payment until ``pay_by``; if the listing cannot supply
    the total it publishes ``GroupOrdersRefused`` and creates none."""

    SOURCE: ClassVar[str] = "soko.groups"
    DETAIL_TYPE: ClassVar[str] = "GroupCompleted"

    group_id: str
    listing_id: str
    farmer_id: str
    price_per_kg: int
    discount_percent: int
    pay_by: str
    members: list[MemberGrams]


class GroupRepriced(EventDetail):
    """Members dropped out and the tier was recomputed: the market re-prices the group's orders that
    are still unpaid to ``price_per_kg`` (paid orders keep their price)."""

    SOURCE: ClassVar[str] = "soko.groups"
    DETAIL_TYPE: ClassVar[str] = "GroupRepriced"

    group_id: str
    listing_id: str
    price_per_kg: int
    discount_percent: int


class GroupExpired(EventDetail):
    SOURCE: ClassVar[str] = "soko.groups"
    DETAIL_TYPE: ClassVar[str] = "GroupExpired"

    group_id: str
    listing_id: str
    members: list[MemberGrams]


class GroupNoticeIssued(Notice):
    """What a group's member is told (joined, completed with what to pay and by when, repriced,
    expired, failed): delivered by the notifications domain, English and Luganda."""

    SOURCE: ClassVar[str] = "soko.groups"
    DETAIL_TYPE: ClassVar[str] = "GroupNoticeIssued"


class ClustersTrained(EventDetail):
    SOURCE: ClassVar[str] = "soko.groups"
    DETAIL_TYPE: ClassVar[str] = "ClustersTrained"

    model_version: str
    k: int
    silhouette: float
    buyers: int
