"""Scoring, both ways, with the parts in plain words. Pure functions: no I/O.

Farmers for a buyer: crop overlap (buyer interests ∩ farmer specialties / |buyer interests|) 0.35,
same district 0.20, rating/5 0.20, fulfilment rate 0.15, plus the pair's boost.
Buyers for a farmer: crop overlap (∩ / |farmer specialties|) 0.35, same district 0.20, payment
reliability 0.25, spend normalised by the largest candidate's 0.20, plus the boost.
Unknown rating, fulfilment or reliability (no history yet) count 0: no evidence, no credit.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from soko.matching.models import BuyerFeatures, FarmerFeatures

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

    @property
    def explanation(self) -> str:
        return SEP.join(self.reasons)


SPEND_SCALE_UGX = 1_000_000  # the spend at which a buyer's static spend part is half its weight


def farmer_static(farmer: FarmerFeatures) -> float:
    """The part of a farmer's score that no buyer changes: rating and fulfilment (0-0.35). Candidate
    items are keyed by it, so a partition reads strongest first."""
    return W_RATING * (farmer.rating or 0.0) / 5 + W_FULFILMENT * (farmer.fulfillment_rate or 0.0)


def buyer_static(buyer: BuyerFeatures) -> float:
    """The same for a buyer (0-0.45): payment reliability, and spend. A request normalises spend by
    the largest candidate's, which no single item can know; here it saturates instead
    (``spend / (spend + SPEND_SCALE_UGX)``), which orders buyers the same way."""
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
    rating, fulfilment = farmer.rating, farmer.fulfillment_rate
    parts = {
        "crop_overlap": round(W_OVERLAP * overlap, 4),
        "district": W_DISTRICT if same else 0.0,
        "rating": round(W_RATING * (rating or 0.0) / 5, 4),
        "fulfillment": round(W_FULFILMENT * (fulfilment or 0.0), 4),
        "boost": round(boost, 4),
    }
    reasons = []
    if shared:
        reasons.append(_crops(shared, len(wanted), "grows"))
    if same:
        reasons.append("same district")
    reasons.append(f"rated {rating:.1f}" if rating is not None else "not rated yet")
    if fulfilment is not None:
        reasons.append(f"fulfils {fulfilment:.0%} of orders")
    if boost >= 0.005:
        reasons.append(_boost_reason(boost))
    return Scored(farmer.id, round(sum(parts.values()), 3), parts, reasons)


def buyer_parts(farmer: FarmerFeatures, buyer: BuyerFeatures, max_spend: int, boost: float = 0.0) -> Scored:
    grown = set(farmer.specialties)
    shared = len(grown & set(buyer.interests))
    overlap = shared / len(grown) if grown else 0.0
    same = _same_district(farmer.district, buyer.district)
    reliability = buyer.payment_reliability
    spend = buyer.spend_ugx / max_spend if max_spend > 0 else 0.0
    parts = {
        "crop_overlap": round(W_OVERLAP * overlap, 4),
        "district": W_DISTRICT if same else 0.0,
        "payment_reliability": round(W_RELIABILITY * (reliability or 0.0), 4),
        "spend_volume": round(W_SPEND * spend, 4),
        "boost": round(boost, 4),
    }
    reasons = []
    if shared:
        reasons.append(_crops(shared, len(grown), "buys"))
    if same:
        reasons.append("same district")
    reasons.append(
        f"pays reliably ({reliability:.0%})" if reliability is not None else "no payment history yet"
    )
    if buyer.spend_ugx:
        reasons.append(f"has bought {buyer.spend_ugx:,} UGX so far")
    if boost >= 0.005:
        reasons.append(_boost_reason(boost))
    return Scored(buyer.id, round(sum(parts.values()), 3), parts, reasons)


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
    max_spend = max((b.spend_ugx for b in buyers), default=0)
    scored = (buyer_parts(farmer, b, max_spend, boosts.get(b.id, 0.0)) for b in buyers if b.id != farmer.id)
    return heapq.nsmallest(top_n, scored, key=lambda s: (-s.score, s.id))


def fast_farmer_scores(
    interests: set[str],
    district: str | None,
    specialties: Sequence[frozenset[str]],
    districts: Sequence[str | None],
    static: Sequence[float],
) -> list[float]:
    """Scores only (no explanations) over column arrays: the bench's 100,000-candidate path.
    ``static`` is each farmer's precomputed rating and fulfilment parts."""
    n = len(interests) or 1
    home = (district or "").lower()
    o, d = W_OVERLAP / n, W_DISTRICT
    return [
        o * len(interests & crops) + (d if dist and dist.lower() == home else 0.0) + s
        for crops, dist, s in zip(specialties, districts, static, strict=True)
    ]
