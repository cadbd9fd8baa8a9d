"""GET /groups/recommended's logic: place the buyer in a trader cluster (pure-Python nearest
centroid on the current model: no numpy here) and propose open groups to join and tiered listings
to start a group on, for the crops the cluster buys near the buyer, each with an explanation in
the buyer's language (docs/aggregation.md "Trader clusters").

- The buyer: their behaviour (the projection of their orders); a buyer with no orders yet is placed
  by their profile (interests, district) as if they had ordered each interest once.
- Crops: the cluster's top crops, then the buyer's own; home: the buyer's main district (else the
  profile's, else the cluster's).
- Peers: the cluster's buyers of the crop whose district is within ``NEAR_KM`` of home.
- Join: open groups of those crops with room left, their listing within ``NEAR_KM``, not the
  buyer's own listing; the suggested quantity is the buyer's usual order, capped by the room.
- Start: active listings of those crops within ``NEAR_KM`` that have tiers and no open group; the
  tier is the one the nearby peers' usual orders together reach (at least the lowest).
- Score: crop weight (cluster share + own share) x nearness (1 / (1 + km / 100)) x (1.2 for a
  join, whose group already exists, plus the fill) x (1 + saving / 100).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from soko.groups import recommend_texts
from soko.groups.clusters_features import Behaviour, nearest, raw_vector, scale
from soko.groups.models import Group, GroupRecommendation, GroupRecommendations
from soko.groups.recommend_texts import Language
from soko.market.public import ListingCard, ListingTerms, PriceTier, tier_for, to_kg
from soko.shared import clock, places
from soko.shared.errors import Forbidden
from soko.shared.identity import Caller

NEAR_KM = 150.0
CROPS_CONSIDERED = 4
LISTINGS_PER_CROP = 25  # one Query; the terms are read only for the listings near the buyer
DEFAULT_KG = Decimal(100)


class ClusterModels(Protocol):
    def current_model(self) -> dict[str, Any] | None: ...


class Behaviours(Protocol):
    def behaviour(self, buyer_id: str) -> Behaviour | None: ...


class OpenGroups(Protocol):
    def open_groups_by_crop(self, crop: str, limit: int = 50) -> list[Group]: ...


class Listings(Protocol):
    def crop_listings(self, crop: str, limit: int) -> list[ListingCard]: ...

    def listing_terms(self, listing_id: str) -> ListingTerms | None: ...


class Profile(Protocol):
    @property
    def district(self) -> str | None: ...

    @property
    def interests(self) -> list[str]: ...

    @property
    def language(self) -> str: ...


@dataclass(frozen=True)
class Sources:
    models: ClusterModels
    behaviours: Behaviours
    groups: OpenGroups
    listings: Listings


def km(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if a in places.DISTRICTS and b in places.DISTRICTS:
        return places.haversine_km(places.DISTRICTS[a], places.DISTRICTS[b])
    return math.inf


def _from_profile(buyer_id: str, profile: Profile | None) -> Behaviour | None:
    if profile is None or not profile.interests:
        return None
    return Behaviour(
        buyer_id=buyer_id,
        orders=len(profile.interests),
        grams=len(profile.interests) * 100_000,
        crop_grams={crop: 100_000 for crop in profile.interests},
        district_orders={profile.district: 1} if profile.district else {},
        days=[clock.now_iso()[:10]],
    )


def place(model: dict[str, Any], behaviour: Behaviour) -> dict[str, Any]:
    """The cluster of the model nearest to the buyer."""
    point = scale(raw_vector(behaviour), model["scaler"]["mean"], model["scaler"]["scale"])
    return dict(model["clusters"][nearest(point, model["centroids"])])


def _usual_kg(behaviour: Behaviour, cluster: dict[str, Any]) -> Decimal:
    if behaviour.orders and behaviour.grams:
        kg = Decimal(behaviour.grams) / 1000 / behaviour.orders
    else:
        kg = Decimal(str(cluster.get("kg_per_order") or DEFAULT_KG))
    return max(Decimal(1), kg.quantize(Decimal(1), ROUND_HALF_UP))


def _peers(cluster: dict[str, Any], crop: str, home: str) -> tuple[int, str]:
    """(how many of the cluster's buyers of ``crop`` are near ``home``, the district to name)."""
    by_district: dict[str, int] = cluster.get("crop_districts", {}).get(crop, {})
    near = sum(n for d, n in by_district.items() if km(d, home) <= NEAR_KM)
    if near:
        return near, home
    if by_district:
        top = max(by_district, key=lambda d: (by_district[d], d))
        return sum(by_district.values()), top
    return 0, home


def _crops(cluster: dict[str, Any], behaviour: Behaviour) -> list[tuple[str, float]]:
    """(crop, weight) best first: the cluster's share plus the buyer's own share."""
    total = sum(behaviour.crop_grams.values()) or 1
    weights: dict[str, float] = {c["crop"]: float(c["share"]) for c in cluster.get("top_crops", [])}
    for crop, grams in behaviour.crop_grams.items():
        weights[crop] = weights.get(crop, 0.0) + grams / total
    return sorted(weights.items(), key=lambda cw: (-cw[1], cw[0]))[:CROPS_CONSIDERED]


@dataclass(frozen=True)
class _Fit:
    """What one crop's recommendations for the caller share."""

    caller: Caller
    crop: str
    weight: float
    home: str
    named: str  # the district the explanation names
    peers: int
    rhythm: str
    usual: Decimal
    cluster_kg: Decimal
    lang: Language

    def explain(self, **words: Any) -> str:
        return recommend_texts.explanation(
            self.lang,
            peers=max(self.peers, 1),
            district=self.named,
            crop_id=self.crop,
            rhythm=self.rhythm,
            **words,
        )


def _nearness(distance: float) -> float:
    return 0.0 if math.isinf(distance) else 1 / (1 + distance / 100)


def recommend(
    caller: Caller, profile: Profile | None, lang: Language, limit: int, src: Sources
) -> GroupRecommendations:
    if not caller.can_buy():
        raise Forbidden("Only buyers get group recommendations.", details={"role": caller.role})
    model = src.models.current_model()
    behaviour = src.behaviours.behaviour(caller.user_id) or _from_profile(caller.user_id, profile)
    if model is None or behaviour is None:
        return GroupRecommendations(items=[], cluster=None, model_version=model["version"] if model else None)
    cluster = place(model, behaviour)
    home = (
        behaviour.main_district
        or (profile.district if profile else None)
        or next((d["district"] for d in cluster.get("top_districts", [])), "Kampala")
    )
    rhythm = str(cluster.get("cadence", "monthly"))
    usual = _usual_kg(behaviour, cluster)
    items: list[GroupRecommendation] = []
    cluster_kg = Decimal(str(cluster.get("kg_per_order") or usual))
    for crop, weight in _crops(cluster, behaviour):
        peers, named = _peers(cluster, crop, home)
        fit = _Fit(caller, crop, weight, home, named, peers, rhythm, usual, cluster_kg, lang)
        grouped: set[str] = set()
        for group in src.groups.open_groups_by_crop(crop, 50):
            grouped.add(group.listing_id)
            found = _join(fit, group)
            if found:
                items.append(found)
        for card in src.listings.crop_listings(crop, LISTINGS_PER_CROP):
            if card.id in grouped or card.farmer_id == caller.user_id or km(card.district, home) > NEAR_KM:
                continue
            terms = src.listings.listing_terms(card.id)
            if terms is None or terms.status != "active" or not terms.price_tiers:
                continue
            items.append(_start(fit, terms))
    items.sort(key=lambda r: (-r.score, r.action, r.listing_id, r.group_id or ""))
    return GroupRecommendations(
        items=items[:limit], cluster=str(cluster["label"][lang]), model_version=str(model["version"])
    )


def _join(fit: _Fit, group: Group) -> GroupRecommendation | None:
    room = group.target_kg - group.filled_kg
    distance = km(group.district, fit.home)
    if group.status != "open" or room <= 0 or group.farmer_id == fit.caller.user_id or distance > NEAR_KM:
        return None
    if group.mine is not None:
        return None
    kg = min(fit.usual, room)
    tier = tier_for(group.tiers, group.target_kg)
    pct = tier.discount_percent if tier else 0
    fill = float(group.filled_kg / group.target_kg) if group.target_kg else 0.0
    return GroupRecommendation(
        action="join",
        group_id=group.id,
        listing_id=group.listing_id,
        crop=fit.crop,
        district=group.district,
        suggested_kg=kg,
        tier=tier,
        saving_percent=pct,
        peers=fit.peers,
        explanation=fit.explain(
            action="join", tier_kg=tier.min_kg if tier else None, pct=pct, room_kg=room, kg=kg
        ),
        score=round(fit.weight * _nearness(distance) * (1.2 + fill) * (1 + pct / 100), 4),
    )


def _start(fit: _Fit, terms: ListingTerms) -> GroupRecommendation:
    demand = min(fit.usual + fit.peers * fit.cluster_kg, to_kg(terms.quantity_g))
    tiers: list[PriceTier] = list(terms.price_tiers)
    tier = tier_for(tiers, demand) or tiers[0]
    pct = tier.discount_percent
    return GroupRecommendation(
        action="start",
        group_id=None,
        listing_id=terms.id,
        crop=fit.crop,
        district=terms.district,
        suggested_kg=fit.usual,
        tier=tier,
        saving_percent=pct,
        peers=fit.peers,
        explanation=fit.explain(action="start", tier_kg=tier.min_kg, pct=pct),
        score=round(fit.weight * _nearness(km(terms.district, fit.home)) * (1 + pct / 100), 4),
    )
