"""Interaction boosts per (buyer, farmer) pair: fixed increments, capped at +0.20 in total, decaying
with a 30-day half-life so stale interest fades. Pure functions; the data layer persists
``(value, as_of)`` per pair."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

Interaction = Literal[
    "farmer_viewed", "buyer_inquiry", "purchase_completed", "rating_submitted", "high_rating"
]

INCREMENTS: dict[Interaction, float] = {
    "farmer_viewed": 0.02,
    "buyer_inquiry": 0.05,
    "purchase_completed": 0.10,
    "rating_submitted": 0.04,
    "high_rating": 0.08,
}
CAP = 0.20
HALF_LIFE_DAYS = 30.0
HIGH_RATING = 4  # a rating of 4 or 5 is a high rating


def decayed(value: float, as_of: datetime, now: datetime) -> float:
    """``value`` recorded at ``as_of``, seen at ``now`` (never grows when ``now`` is earlier)."""
    days = max(0.0, (now - as_of).total_seconds() / 86400)
    return min(CAP, value * float(0.5 ** (days / HALF_LIFE_DAYS)))


def add(value: float, as_of: datetime | None, increment: float, at: datetime) -> tuple[float, datetime]:
    """The pair's boost after an interaction at ``at``: the old value decayed to ``at``, plus the
    increment, capped. An interaction older than the stored one adds its own decayed increment."""
    if as_of is None:
        return min(CAP, increment), at
    if at >= as_of:
        return min(CAP, decayed(value, as_of, at) + increment), at
    return min(CAP, value + decayed(increment, at, as_of)), as_of
