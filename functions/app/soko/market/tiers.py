"""Volume price tiers (issue 18): a listing may sell cheaper by the kg to a larger order or a
bulk-buying group. Pure; other domains read it through :mod:`soko.market.public`.

A tier is ``{min_kg, discount_percent}``: an order (or a group's fill) of at least ``min_kg`` pays
the listing's price less ``discount_percent``, rounded half up to a whole shilling per kg. A listing
has at most five tiers, strictly increasing in both ``min_kg`` and ``discount_percent``.
"""

from __future__ import annotations

import itertools
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_TIERS = 5


class PriceTier(BaseModel):
    # One schema in requests and responses (``min_kg`` is sent as a number or a decimal string and
    # read back as a decimal string), so every function's OpenAPI names it ``PriceTier`` alike.
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_mode_override="validation")

    min_kg: Annotated[
        Decimal,
        Field(
            gt=0,
            le=1_000_000,
            decimal_places=3,
            description="the smallest quantity (kg) that gets this tier's price",
        ),
    ]
    discount_percent: Annotated[int, Field(strict=True, ge=1, le=50, description="percent off the price")]


def _ordered(tiers: list[PriceTier]) -> list[PriceTier]:
    for lower, higher in itertools.pairwise(tiers):
        if not (higher.min_kg > lower.min_kg and higher.discount_percent > lower.discount_percent):
            raise ValueError("tiers must increase in both min_kg and discount_percent")
    return tiers


PriceTiers = Annotated[
    list[PriceTier],
    Field(max_length=MAX_TIERS, description="volume price tiers, increasing in min_kg and discount"),
    AfterValidator(_ordered),
]


def tier_for(tiers: list[PriceTier], kg: Decimal) -> PriceTier | None:
    """The best tier ``kg`` reaches, or None."""
    reached = [tier for tier in tiers if kg >= tier.min_kg]
    return reached[-1] if reached else None


def next_tier(tiers: list[PriceTier], kg: Decimal) -> PriceTier | None:
    """The first tier ``kg`` does not reach yet, or None."""
    return next((tier for tier in tiers if kg < tier.min_kg), None)


def tier_price(price_per_kg: int, tier: PriceTier | None) -> int:
    """The price per kg at ``tier`` (the list price when None), rounded half up."""
    if tier is None:
        return price_per_kg
    cut = Decimal(price_per_kg) * (100 - tier.discount_percent) / 100
    return int(cut.quantize(Decimal(1), ROUND_HALF_UP))
