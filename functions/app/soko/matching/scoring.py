"""Scoring, both ways, with the parts in plain words. Pure functions: no I/O.

Farmers for a buyer: crop overlap (buyer interests ∩ farmer specialties / |buyer interests|) 0.35,
same district 0.20, rating/5 0.20, fulfilment tier 0.15, plus the pair's boost.
Buyers for a farmer: crop overlap (∩ / |farmer specialties|) 0.35, same district 0.20, payment
reliability tier 0.25, spend tier 0.20, plus the boost.
Unknown rating, fulfilment or reliability (no history yet) count 0: no evidence, no credit.

**Another user's figures are never shown.** A recommendation shows one user to another, so what it
says about the candidate's own history (a buyer's spend and payment reliability, a farmer's
fulfilment rate) is a coarse tier (``low``, ``medium``, ``high``; ``None`` without history), and the
score and its parts are computed from the tier, not the figure: the parts, the score and the
reasons together reveal no more than the tiers. A farmer's rating is the exception: it is public on
the farmer's profile already (``soko.identity.public``).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from soko.matching.models import BuyerFeatures, FarmerFeatures, Tier

W_OVERLAP, W_DISTRICT = 0.35, 0.20
W_RATING, W_FULFILMENT = 0.20, 0.15
W_RELIABILITY, W_SPEND = 0.25, 0.20
SEP = " · "


@dataclass(frozen=True)
class Scored:
    id: str
    score: float
    parts: dict[str, float]
    reasons: list[str]
    tiers: dict[str, Tier | None] = field(default_factory=dict)

    @property
    def explanation(self) -> str:
        return SEP.join(self.reasons)


SPEND_SCALE_UGX = 1_000_000  # the spend at which a buyer's static spend part is half its weight

# Tiers: the value a tier counts for in a score, and where the tiers start.
TIER_VALUE: dict[Tier, float] = {"low": 1 / 3, "medium": 2 / 3, "high": 1.0}
RATE_MEDIUM, RATE_HIGH = 0.7, 0.9  # a share of payments completed, of orders fulfilled
SPEND_MEDIUM_UGX, SPEND_HIGH_UGX = 500_000, 5_000_000  # completed purchases, all time

FULFILMENT_WORDS: dict[Tier, str] = {
    "high": "fulfils nearly every order",
    "medium": "fulfils most orders",
    "low": "fulfils some orders",
}
RELIABILITY_WORDS: dict[Tier, str] = {
    "high": "pays reliably",
    "medium": "usually pays",
    "low": "payments often fail",
}
SPEND_WORDS: dict[Tier, str] = {
    "high": "buys in large volumes",
    "medium": "buys in medium volumes",
    "low": "buys in small volumes",
}


def rate_tier(rate: float | None) -> Tier | None:
    """A share (0-1) as a tier; None without history."""
    if rate is None:
        return None
    return "high" if rate >= RATE_HIGH else "medium" if rate >= RATE_MEDIUM else "low"


def spend_tier(spend_ugx: int) -> Tier | None:
    """A buyer's completed spend as a tier; None before a first completed purchase."""
    if spend_ugx <= 0:
        return None
    return "high" if spend_ugx >= SPEND_HIGH_UGX else "medium" if spend_ugx >= SPEND_MEDIUM_UGX else "low"


def tier_value(tier: Tier | None) -> float:
    return TIER_VALUE[tier] if tier is not None else 0.0


def farmer_static(farmer: FarmerFeatures) -> float:
    """The part of a farmer's score that no buyer changes: rating and fulfilment (0-0.35). Candidate
    items are keyed by it, so a partition reads strongest first."""
    return W_RATING * (farmer.rating or 0.0) / 5 + W_FULFILMENT * tier_value(
        rate_tier(farmer.fulfillment_rate)
    )


def buyer_static(buyer: BuyerFeatures) -> float:
    """The same for a buyer (0-0.45): payment reliability, and spend saturating
    (``spend / (spend + SPEND_SCALE_UGX)``). Only a candidate item's sort key uses it (never shown):
    finer than the tiers a request scores with, it orders a partition's buyers the same way."""
    spend = buyer.spend_ugx / (buyer.spend_ugx + SPEND_SCALE_UGX) if buyer.spend_ugx > 0 else 0.0
    return W_RELIABILITY * (buyer.payment_reliability or 0.0) + W_SPEND * spend


def _same_district(a: str | None, b: str | None) -> bool:
    return bool(a and b and a.strip().lower() == b.strip().lower())


def _crops(count: int, of: int, verb: str) -> str:
    return f"{verb} {count} of your {of} crop{'s' if of != 1 else ''}"


def _boost_reason(boost: float) -> str:
    return f"you have dealt with each other recently (+{boost:.2f})"


def farmer_parts(buyer: BuyerFeatures, farmer: FarmerFeatures, boost: float = 0.0) -> Scored:
    wanted = set(buyer.interests)
    shared = len(wanted & set(farmer.specialties))
    overlap = shared / len(wanted) if wanted else 0.0
    same = _same_district(buyer.district, farmer.district)
    rating, fulfilment = farmer.rating, rate_tier(farmer.fulfillment_rate)
    parts = {
        "crop_overlap": round(W_OVERLAP * overlap, 4),
        "district": W_DISTRICT if same else 0.0,
        "rating": round(W_RATING * (rating or 0.0) / 5, 4),
        "fulfillment": round(W_FULFILMENT * tier_value(fulfilment), 4),
        "boost": round(boost, 4),
    }
    reasons = []
    if shared:
        reasons.append(_crops(shared, len(wanted), "grows"))
    if same:
        reasons.append("same district")
    reasons.append(f"rated {rating:.1f}" if rating is not None else "not rated yet")
    if fulfilment is not None:
        reasons.append(FULFILMENT_WORDS[fulfilment])
    if boost >= 0.005:
        reasons.append(_boost_reason(boost))
    return Scored(farmer.id, round(sum(parts.values()), 3), parts, reasons, {"fulfillment": fulfilment})


def buyer_parts(farmer: FarmerFeatures, buyer: BuyerFeatures, boost: float = 0.0) -> Scored:
    grown = set(farmer.specialties)
    shared = len(grown & set(buyer.interests))
    overlap = shared / len(grown) if grown else 0.0
    same = _same_district(farmer.district, buyer.district)
    reliability, spend = rate_tier(buyer.payment_reliability), spend_tier(buyer.spend_ugx)
    parts = {
        "crop_overlap": round(W_OVERLAP * overlap, 4),
        "district": W_DISTRICT if same else 0.0,
        "payment_reliability": round(W_RELIABILITY * tier_value(reliability), 4),
        "spend_volume": round(W_SPEND * tier_value(spend), 4),
        "boost": round(boost, 4),
    }
    reasons = []
    if shared:
        reasons.append(_crops(shared, len(grown), "buys"))
    if same:
        reasons.append("same district")
    reasons.append(RELIABILITY_WORDS[reliability] if reliability is not None else "no payment history yet")
    if spend is not None:
        reasons.append(SPEND_WORDS[spend])
    if boost >= 0.005:
        reasons.append(_boost_reason(boost))
    tiers: dict[str, Tier | None] = {"payment_reliability": reliability, "spend": spend}
    return Scored(buyer.id, round(sum(parts.values()), 3), parts, reasons, tiers)


def rank_farmers(
    buyer: BuyerFeatures,
    farmers: Sequence[FarmerFeatures],
    boosts: Mapping[str, float],
    top_n: int,
) -> list[Scored]:
    """The best ``top_n`` farmers for ``buyer`` (never the buyer themself), best first."""
    scored = (farmer_parts(buyer, f, boosts.get(f.id, 0.0)) for f in farmers if f.id != buyer.id)
    return heapq.nsmallest(top_n, scored, key=lambda s: (-s.score, s.id))


def rank_buyers(
    farmer: FarmerFeatures,
    buyers: Sequence[BuyerFeatures],
    boosts: Mapping[str, float],
    top_n: int,
) -> list[Scored]:
    scored = (buyer_parts(farmer, b, boosts.get(b.id, 0.0)) for b in buyers if b.id != farmer.id)
    return heapq.nsmallest(top_n, scored, key=lambda s: (-s.score, s.id))


def fast_farmer_scores(
    interests: set[str],
    district: str | None,
    specialties: Sequence[frozenset[str]],
    districts: Sequence[str | None],
    static: Sequence[float],
) -> list[float]:
    """Scores only (no explanations) over column arrays: the bench's 100,000-candidate path.
    ``static`` is each farmer's precomputed rating and fulfilment parts (:func:`farmer_static`)."""
    n = len(interests) or 1
    home = (district or "").lower()
    o, d = W_OVERLAP / n, W_DISTRICT
    return [
        o * len(interests & crops) + (d if dist and dist.lower() == home else 0.0) + s
        for crops, dist, s in zip(specialties, districts, static, strict=True)
    ]
