"""Recommendations: farmers for a buyer and buyers for a farmer, scored with their reasons
(:mod:`soko.matching.scoring`), read from the candidate partitions of the match table and cached
until a generation they were built from changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from soko.matching import scoring
from soko.matching.context import Matching
from soko.matching.interactions import current_boosts
from soko.matching.models import BuyerFeatures, FarmerFeatures, Match, Recommendations
from soko.shared import clock
from soko.shared.errors import Forbidden, NotFound
from soko.shared.identity import Caller

CACHE_SECONDS = 3600  # also bounds how far cached boosts drift with decay
CACHED_TOP = 50
# The shape of a cached answer: a cached list from an older shape is stale (lists cached before the
# tiers carried other users' exact figures, and must never be served again).
ANSWER_VERSION = 2


class BuyerNotFound(NotFound):
    code = "BUYER_NOT_FOUND"


class FarmerNotFound(NotFound):
    code = "FARMER_NOT_FOUND"


def _allowed(caller: Caller, user_id: str) -> None:
    if caller.user_id != user_id and not caller.is_admin:
        raise Forbidden("You can only see your own recommendations.")


def _cached(
    deps: Matching, direction: str, user_id: str, names: list[str], top_n: int
) -> tuple[Recommendations | None, dict[str, int]]:
    generations = {**deps.dal.generations(names), "ANSWER_VERSION": ANSWER_VERSION}
    cached = deps.dal.cached(direction, user_id, int(clock.now().timestamp()))
    if cached is not None and cached.get("deps") == generations:
        answer = Recommendations.model_validate_json(str(cached["answer"]))
        return answer.model_copy(update={"items": answer.items[:top_n], "cached": True}), generations
    return None, generations


def _remember(
    deps: Matching, answer: Recommendations, generations: dict[str, int], top_n: int
) -> Recommendations:
    expires = int(clock.now().timestamp()) + CACHE_SECONDS
    deps.dal.cache(answer.direction, answer.user_id, answer.model_dump_json(), generations, expires)
    return answer.model_copy(update={"items": answer.items[:top_n]})


def _match(card: dict[str, Any], role: str, crops: list[str], scored: scoring.Scored) -> Match:
    rating_count = int(card.get("rating_count", 0))
    return Match(
        id=scored.id,
        full_name=card.get("full_name"),
        role=role,
        district=card.get("district"),
        crops=crops,
        rating=round(int(card.get("rating_sum", 0)) / rating_count, 2) if rating_count else None,
        rating_count=rating_count if role == "farmer" else None,
        active_listings=int(card.get("active_count", 0)) if role == "farmer" else None,
        fulfillment_tier=scored.tiers.get("fulfillment"),
        payment_reliability_tier=scored.tiers.get("payment_reliability"),
        spend_tier=scored.tiers.get("spend"),
        matchScore=scored.score,
        explanation=scored.explanation,
        reasons=scored.reasons,
        score_parts=scored.parts,
    )


@dataclass(frozen=True)
class _Direction:
    """One way of recommending: who asks (``requester``, its ``crops``) and whom they are shown."""

    name: Literal["farmers-for-buyer", "buyers-for-farmer"]
    requester: type[Any]  # FarmerFeatures or BuyerFeatures
    requester_role: Literal["farmer", "buyer"]
    not_found: type[NotFound]
    crops: Callable[[Any], list[str]]  # the requester's crop keys
    candidates: type[Any]  # FarmerFeatures or BuyerFeatures
    boost_side: str  # the requester's boosts (see soko.matching.interactions)
    rank: Callable[[Any, list[Any], dict[str, float], int], list[scoring.Scored]]
    role: Literal["farmer", "buyer"]  # of the candidates
    crops_field: str  # of a candidate card


_FARMERS_FOR_BUYER = _Direction(
    "farmers-for-buyer",
    BuyerFeatures,
    "buyer",
    BuyerNotFound,
    lambda buyer: buyer.interests,
    FarmerFeatures,
    "B",
    scoring.rank_farmers,
    "farmer",
    "specialties",
)
_BUYERS_FOR_FARMER = _Direction(
    "buyers-for-farmer",
    FarmerFeatures,
    "farmer",
    FarmerNotFound,
    lambda farmer: farmer.specialties,
    BuyerFeatures,
    "F",
    scoring.rank_buyers,
    "buyer",
    "interests",
)


def farmers_for_buyer(caller: Caller, buyer_id: str, top_n: int, deps: Matching) -> Recommendations:
    return _recommend(deps, _FARMERS_FOR_BUYER, caller, buyer_id, top_n)


def buyers_for_farmer(caller: Caller, farmer_id: str, top_n: int, deps: Matching) -> Recommendations:
    return _recommend(deps, _BUYERS_FOR_FARMER, caller, farmer_id, top_n)


def _partitions(kind: str, crops: list[str], district: str | None) -> list[str]:
    """The candidate partitions to read: one per crop of the requester, then their district."""
    partitions = sorted({f"{kind}#CROP#{c}" for c in crops})
    if district:
        partitions.append(f"{kind}#DIST#{district.lower()}")
    return partitions


def _recommend(
    deps: Matching, direction: _Direction, caller: Caller, user_id: str, top_n: int
) -> Recommendations:
    """The cached list if nothing it was built from changed, else rank the candidates and cache."""
    _allowed(caller, user_id)
    requester = deps.dal.get_features(direction.requester, user_id)
    if requester is None:
        raise direction.not_found(
            f"This user has no {direction.requester_role} profile in the matching store yet. "
            "New accounts appear within seconds of registering.",
            details={"user_id": user_id},
        )
    partitions = _partitions(f"{direction.role.upper()}S", direction.crops(requester), requester.district)
    subject = f"{direction.requester_role.upper()}#{user_id}"
    hit, generations = _cached(deps, direction.name, user_id, ["EPOCH", subject, *partitions], top_n)
    if hit is not None:
        return hit
    cards = {str(c["id"]): c for c in deps.dal.candidates(partitions)}
    ranked = direction.rank(
        requester,
        [direction.candidates.model_validate(c) for c in cards.values()],
        current_boosts(deps, direction.boost_side, user_id, clock.now()),
        CACHED_TOP,
    )
    items = [
        _match(cards[s.id], direction.role, list(cards[s.id].get(direction.crops_field, [])), s)
        for s in ranked
    ]
    answer = Recommendations(user_id=user_id, direction=direction.name, items=items, cached=False)
    return _remember(deps, answer, generations, top_n)
