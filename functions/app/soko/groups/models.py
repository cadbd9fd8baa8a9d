"""Bulk-buying groups' API models. Kilograms (Decimal, at most 3 decimals) in the API, grams in the
table; money is integer UGX."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from soko.market.public import Kilograms, PriceTier, next_tier, tier_for, tier_price, to_kg
from soko.shared.config import BaseConfig

GroupStatus = Literal["open", "completed", "expired", "failed"]
MAX_MEMBERS = 40


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GroupCreate(_Input):
    listing_id: Annotated[str, Field(min_length=1, max_length=40)]
    target_kg: Kilograms = Field(description="must reach at least one of the listing's tiers")
    deadline: AwareDatetime = Field(
        description="at least an hour (the stack's GroupMinDeadlineMinutes) and at most 30 days ahead"
    )
    quantity_kg: Kilograms = Field(description="the starter's own quantity")


class JoinRequest(_Input):
    quantity_kg: Kilograms


class MyPart(BaseModel):
    quantity_kg: Decimal
    joined_at: str
    order_id: str | None = Field(default=None, description="the caller's order, once the group completed")
    status: Literal["joined", "left", "ordered", "paid", "dropped"]


class Group(BaseModel):
    id: str
    listing_id: str
    crop: str
    title: str
    district: str
    farmer_id: str
    starter_id: str
    target_kg: Decimal
    filled_kg: Decimal
    members: int
    deadline: datetime
    status: GroupStatus
    list_price_per_kg: int
    tiers: list[PriceTier]
    tier: PriceTier | None = Field(description="the best tier the fill reaches now (or reached, once done)")
    next_tier: PriceTier | None = None
    price_per_kg: int = Field(description="the price at `tier` (the list price if none)")
    pay_by: str | None = Field(default=None, description="once completed: when members must have paid")
    mine: MyPart | None = Field(default=None, description="the caller's part, if they joined")
    created_at: str
    updated_at: str


class GroupPage(BaseModel):
    items: list[Group]
    next_cursor: str | None


class GroupRecommendation(BaseModel):
    action: Literal["join", "start"]
    group_id: str | None = Field(default=None, description="the group to join (action join)")
    listing_id: str
    crop: str
    district: str
    suggested_kg: Decimal
    tier: PriceTier | None
    saving_percent: int
    peers: int = Field(description="traders like you who buy this (the explanation's count)")
    explanation: str = Field(description="plain language, in the caller's language")
    score: float


class GroupRecommendations(BaseModel):
    items: list[GroupRecommendation]
    cluster: str | None = Field(default=None, description="the caller's segment, e.g. 'weekly beans traders'")
    model_version: str | None = None


# ---------------------------------------------------------------------------- stored item -> view
def group_view(item: dict[str, Any], mine: dict[str, Any] | None = None) -> Group:
    """The API's view of a group's item (and of the caller's member item, if any). While open (or
    expired) the tier is the one the fill reaches now; once completed, the tier it was sold at (a
    drop-out may have lowered it since: ``docs/aggregation.md``)."""
    tiers = [PriceTier.model_validate(t) for t in item.get("tiers", [])]
    filled = to_kg(int(item["filled_g"]))
    if item["status"] in ("completed", "failed"):
        tier = PriceTier.model_validate(item["tier"]) if item.get("tier") else None
        upcoming = None
        price = int(item["price_per_kg"])
    else:
        tier = tier_for(tiers, filled)
        upcoming = next_tier(tiers, filled)
        price = tier_price(int(item["list_price_per_kg"]), tier)
    return Group(
        id=item["id"],
        listing_id=item["listing_id"],
        crop=item["crop"],
        title=item["title"],
        district=item["district"],
        farmer_id=item["farmer_id"],
        starter_id=item["starter_id"],
        target_kg=to_kg(int(item["target_g"])),
        filled_kg=filled,
        members=int(item["members"]),
        deadline=datetime.fromisoformat(str(item["deadline"]).replace("Z", "+00:00")),
        status=item["status"],
        list_price_per_kg=int(item["list_price_per_kg"]),
        tiers=tiers,
        tier=tier,
        next_tier=upcoming,
        price_per_kg=price,
        pay_by=item.get("pay_by"),
        mine=my_part(mine),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )


def my_part(member: dict[str, Any] | None) -> MyPart | None:
    if member is None:
        return None
    return MyPart(
        quantity_kg=to_kg(int(member["grams"])),
        joined_at=member["joined_at"],
        order_id=member.get("order_id"),
        status=member["status"],
    )


class GroupsConfig(BaseConfig):
    """Every groups function: its table (GROUPS_TABLE_NAME)."""

    groups_table_name: str = Field(min_length=1)


class GroupsWriteConfig(GroupsConfig):
    """The functions that change groups and publish (EVENT_BUS_NAME; GROUP_PAY_HOURS: how long
    members have to pay once their group completed)."""

    event_bus_name: str = Field(min_length=1)
    group_pay_hours: int = Field(default=48, ge=1, le=24 * 14)
    # How soon a new group's deadline may be (GROUP_MIN_DEADLINE_MINUTES; an hour in production,
    # a minute in the end-to-end test's runtime so that an expiry is seen).
    group_min_deadline_minutes: int = Field(default=60, ge=1, le=24 * 60)


class ListingsConfig(BaseConfig):
    """POST /groups reads the listing (MARKET_TABLE_NAME, through soko.market.public)."""

    market_table_name: str = Field(min_length=1)


class JoinRefused(Exception):
    """The store refused a join's transaction (``reason``: ``closed``, ``full``, ``overfill`` or
    ``member``), with the group's item as it was read after."""

    def __init__(self, reason: str, group: dict[str, Any] | None):
        super().__init__(reason)
        self.reason = reason
        self.group = group
