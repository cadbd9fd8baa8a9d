"""Matching models: configuration, the two feature records, and what the endpoints answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from soko.shared.config import BaseConfig

Tier = Literal["low", "medium", "high"]


class MatchConfig(BaseConfig):
    """Every matching function. The tables and the state machine are read by the functions that use
    them, each with its own configuration below (required there)."""

    transport_ugx_per_kg_km: float = 2.0  # moving one kg one km (lorry, Uganda 2026: 1.5-3 UGX)


class MatchTableConfig(BaseConfig):
    """Recommendations, the feature consumer and the bootstrap's steps: the match table."""

    match_table_name: str = Field(min_length=1)


class UsersSourceConfig(BaseConfig):
    """Reading accounts (the feature consumer, the bootstrap's pages)."""

    users_table_name: str = Field(min_length=1)


class MarketSourceConfig(BaseConfig):
    """Reading listings and orders (discovery, the bootstrap's pages)."""

    market_table_name: str = Field(min_length=1)


class PricesSourceConfig(BaseConfig):
    """Reading prices and counting coverage gaps (routes, coverage, gaps)."""

    ml_table_name: str = Field(min_length=1)


class BootstrapConfig(BaseConfig):
    """Starting the bootstrap and reading its status: the state machine."""

    bootstrap_state_machine_arn: str = Field(min_length=1)


class _Features(BaseModel):
    """What a farmer's and a buyer's features both hold: who and where, and the record's version
    and candidate sort key (the DAL's)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    full_name: str | None = None
    district: str | None = None
    lat: float | None = None
    lon: float | None = None
    version: int = 0
    candidate_sk: str | None = Field(
        default=None, description="the sort key of this record's candidate items (the DAL's; None before)"
    )


class FarmerFeatures(_Features):
    """``farmer_features``: what scoring a farmer needs, kept current by events."""

    specialties: list[str] = Field(default_factory=list, description="crop keys")
    rating_sum: int = 0
    rating_count: int = 0
    completed: int = 0
    rejected: int = 0
    active_listings: list[str] = Field(default_factory=list, description="ids of active listings")

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 2) if self.rating_count else None

    @property
    def fulfillment_rate(self) -> float | None:
        decided = self.completed + self.rejected
        return round(self.completed / decided, 3) if decided else None


class BuyerFeatures(_Features):
    """``buyer_features``: what scoring a buyer needs, kept current by events."""

    interests: list[str] = Field(default_factory=list, description="crop keys")
    payments_completed: int = 0
    payments_failed: int = 0
    orders_completed: int = 0
    spend_ugx: int = 0

    @property
    def payment_reliability(self) -> float | None:
        tried = self.payments_completed + self.payments_failed
        return round(self.payments_completed / tried, 3) if tried else None


class Match(BaseModel):
    """One recommended user: public fields, the score and its parts in plain words. What it says
    about the user's own history is a tier, never a figure (see :mod:`soko.matching.scoring`)."""

    id: str
    full_name: str | None
    role: str
    district: str | None
    crops: list[str] = Field(description="a farmer's specialties or a buyer's interests")
    rating: float | None = None
    rating_count: int | None = None
    active_listings: int | None = None
    fulfillment_tier: Tier | None = Field(
        default=None,
        description="a farmer's share of orders fulfilled, as a tier (null: no orders decided yet)",
    )
    payment_reliability_tier: Tier | None = Field(
        default=None, description="a buyer's share of payments completed, as a tier (null: no payments yet)"
    )
    spend_tier: Tier | None = Field(
        default=None,
        description="a buyer's completed purchases, as a tier: low under 500,000 UGX, medium under "
        "5,000,000, high from there (null: none yet). Never the amount",
    )
    matchScore: float = Field(description="0-1.1: the weighted parts plus the interaction boost")
    explanation: str = Field(
        description="the parts in plain words, e.g. 'grows 2 of your 3 crops · same district'"
    )
    reasons: list[str]
    score_parts: dict[str, float]


class Recommendations(BaseModel):
    user_id: str
    direction: str
    items: list[Match]
    cached: bool = Field(description="served from the cache (invalidated by the events that change it)")


TopN = Annotated[int, Field(ge=1, le=50)]


class RouteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    crop: Annotated[str, Field(min_length=1, max_length=60)]
    quantity_kg: Annotated[float, Field(gt=0, le=1_000_000)]
    district: Annotated[str | None, Field(default=None, max_length=60)] = None
    lat: Annotated[float | None, Field(default=None, ge=-2.0, le=5.0)] = None
    lon: Annotated[float | None, Field(default=None, ge=29.0, le=36.0)] = None

    @field_validator("district")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None  # "" names no district: the place must come from lat and lon

    @model_validator(mode="after")
    def _place(self) -> RouteRequest:
        if self.district is None and (self.lat is None or self.lon is None):
            raise ValueError("give a district, or both lat and lon")
        return self


class MarketOption(BaseModel):
    market: str
    name: str
    distance_km: float
    price_per_kg: int = Field(description="forecast (or latest) UGX per kg at the market")
    transport_per_kg: int
    net_per_kg: int = Field(description="price minus transport, UGX per kg")
    net_total_ugx: int
    price_source: str = Field(description="model, latest_observation or cross_market")
    observations: int
    data_through: date | None = Field(
        default=None,
        description="The date of the newest market price behind `price_per_kg` (for cross_market, the "
        "newest of the markets' latest prices).",
    )
    data_age_days: int | None = Field(
        default=None, ge=0, description="Whole days from `data_through` to today in East Africa Time (UTC+3)."
    )
    stale: bool = Field(
        default=False,
        description="True when `data_age_days` is more than the deployment's PriceStaleAfterDays (60 by "
        "default) or unknown: `price_per_kg` is old data, not a current price.",
    )


class RouteAnswer(BaseModel):
    crop: str
    tier: int = Field(description="1 forecast per market, 2 cross-market prices, 3 not covered yet")
    options: list[MarketOption]
    suggestion: str


class DiscoverRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    crop: Annotated[str, Field(min_length=1, max_length=60)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    radius_km: Annotated[float, Field(gt=0, le=1000)] = 50


class NearbyListing(BaseModel):
    id: str
    title: str | None = None
    price_per_kg: int
    quantity_kg: str | None = None


class NearbyFarmer(BaseModel):
    farmer_id: str
    district: str
    distance_km: float
    listings: list[NearbyListing]


class DiscoverAnswer(BaseModel):
    crop: str
    items: list[NearbyFarmer]


class CoverageItem(BaseModel):
    crop: str
    market: str
    observations: int
    model_ready: bool


class CoverageAnswer(BaseModel):
    min_observations: int
    items: list[CoverageItem]


class GapItem(BaseModel):
    crop: str = Field(description="a crop id of the catalogue, or `other` for names it does not know")
    requests: int
    last_requested_at: str | None = None
    districts: list[str]


class GapsAnswer(BaseModel):
    items: list[GapItem]
    next_cursor: str | None = Field(default=None, description="pass as `cursor` for the next page")


class BootstrapStarted(BaseModel):
    execution_id: str
    status: str


class BootstrapStatus(BaseModel):
    execution_id: str | None
    status: str = Field(description="NONE, RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED")
    started_at: str | None = None
    stopped_at: str | None = None
    output: dict[str, object] | None = None
