"""Cooperatives' API models (requests and responses). Quantities are kilograms (Decimal, at most 3
decimals) in the API and grams in the table; money is integer UGX."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from soko.market.public import CropId, District, Kilograms, PriceTiers, Ugx
from soko.shared.config import BaseConfig, BusConfig

Role = Literal["member", "manager"]
AllocationStatus = Literal["proposed", "confirmed", "released", "paid"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CoopCreate(_Input):
    name: Annotated[str, Field(min_length=3, max_length=80)]
    district: District
    crops: Annotated[list[CropId], Field(min_length=1, max_length=10)]
    fee_percent: Annotated[
        Decimal,
        Field(ge=0, le=20, decimal_places=2, description="the coop's cut of its members' net proceeds"),
    ] = Decimal("2")


class Coop(BaseModel):
    id: str
    name: str
    district: str
    crops: list[str]
    fee_percent: Decimal
    member_count: int
    my_role: Role | None = Field(default=None, description="the caller's role, if a member")
    created_at: str


class MemberAdd(_Input):
    """Who joins: a registered farmer, by phone number (any Ugandan format) or user id."""

    phone: Annotated[str | None, Field(min_length=9, max_length=16)] = None
    user_id: Annotated[str | None, Field(min_length=1, max_length=40)] = None
    role: Role = "member"


class Member(BaseModel):
    user_id: str
    name: str | None = None
    role: Role
    joined_at: str


class CommitmentCreate(_Input):
    crop: CropId
    quantity_kg: Kilograms


class Commitment(BaseModel):
    id: str
    coop_id: str
    member_id: str
    crop: str
    quantity_kg: Decimal
    allocated_kg: Decimal
    listing_id: str | None = Field(default=None, description="the pooled listing it is in, once pooled")
    created_at: str


class PoolListingCreate(_Input):
    crop: CropId
    title: Annotated[str, Field(min_length=3, max_length=120)]
    price_per_kg: Ugx
    price_tiers: PriceTiers = Field(default_factory=list)
    description: Annotated[str | None, Field(max_length=2000)] = None


class PooledListing(BaseModel):
    listing_id: str
    coop_id: str
    crop: str
    quantity_kg: Decimal = Field(description="the sum of the pooled commitments")
    commitments: int
    status: Literal["publishing", "live", "closed"]
    created_at: str


class Allocation(BaseModel):
    order_id: str
    listing_id: str
    coop_id: str
    member_id: str
    crop: str
    quantity_kg: Decimal
    status: AllocationStatus
    confirmed_by_member: bool = False
    share_ugx: int | None = Field(default=None, description="the member's payout, once the order is paid out")
    created_at: str


class CoopDetail(Coop):
    """``GET /coops/{id}``: managers and admins see the members and the whole pool; a member sees
    the coop and their own part."""

    members: list[Member] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    pools: list[PooledListing] = Field(default_factory=list)
    allocations: list[Allocation] = Field(default_factory=list)


class MyCoops(BaseModel):
    """``GET /coops/mine``: a member's coops, commitments, allocations and earnings."""

    coops: list[Coop]
    commitments: list[Commitment]
    allocations: list[Allocation]
    earnings_ugx: int = Field(description="paid-out shares, after commission and the coop's fee")


# ------------------------------------------------------------------ configuration (not in the API)


class CoopsConfig(BaseConfig):
    """Every coops function: the coops table."""

    coops_table_name: str = Field(min_length=1)


class CoopsBusConfig(CoopsConfig, BusConfig):
    """Functions that publish (the pooled listing, the members' notices)."""


class MembersConfig(CoopsConfig):
    """``POST /coops/{id}/members`` and ``GET /coops/{id}``: accounts through identity's public reads."""

    users_table_name: str = Field(min_length=1)
