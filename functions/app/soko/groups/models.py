"""Bulk-buying groups' API models. Kilograms (Decimal, at most 3 decimals) in the API, grams in the
table; money is integer UGX."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from soko.market.public import Kilograms, PriceTier

GroupStatus = Literal["open", "completed", "expired", "failed"]
MAX_MEMBERS = 40


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GroupCreate(_Input):
    listing_id: Annotated[str, Field(min_length=1, max_length=40)]
    target_kg: Kilograms = Field(description="must reach at least one of the listing's tiers")
    deadline: AwareDatetime = Field(description="at least 1 hour and at most 30 days ahead")
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


# The OpenAPI document names schemas by class: matching has its own ``Recommendations``.
Recommendation = GroupRecommendation
Recommendations = GroupRecommendations
