"""Interactions between a buyer and a farmer (a view, an inquiry, a purchase, a review) as the
pair's boost in the match table; the arithmetic is :mod:`soko.matching.boosts`."""

from __future__ import annotations

from datetime import datetime

from soko.matching import boosts
from soko.matching.context import RETRIES, Matching
from soko.matching.dal import StaleFeatures


def interact(
    deps: Matching, buyer_id: str, farmer_id: str, kinds: list[boosts.Interaction], at: datetime
) -> float:
    """Add the interactions' boosts to the (buyer, farmer) pair; returns the pair's new boost."""
    if buyer_id == farmer_id:
        return 0.0
    increment = sum(boosts.INCREMENTS[k] for k in kinds)
    for attempt in range(RETRIES):
        stored = deps.dal.get_boost(buyer_id, farmer_id)
        value, as_of = (
            (float(stored["value"]), datetime.fromisoformat(str(stored["as_of"]))) if stored else (0.0, None)
        )
        new_value, new_as_of = boosts.add(value, as_of, increment, at)
        try:
            deps.dal.put_boost(
                buyer_id,
                farmer_id,
                round(new_value, 6),
                new_as_of,
                int(stored["version"]) if stored else None,
            )
            return new_value
        except StaleFeatures:
            if attempt == RETRIES - 1:
                raise
    return 0.0  # pragma: no cover


def current_boosts(deps: Matching, side: str, user_id: str, now: datetime) -> dict[str, float]:
    """``side`` B: a buyer's boosts by farmer; F: a farmer's by buyer; decayed to ``now``."""
    return {
        str(i["sk"]): boosts.decayed(float(i["value"]), datetime.fromisoformat(str(i["as_of"])), now)
        for i in deps.dal.boosts(side, user_id)
    }
