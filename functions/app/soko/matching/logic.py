"""Matching rules: the feature store kept current by events, boosts, recommendations with their
reasons, market routing, discovery and coverage. Pydantic in, pydantic out; no boto3."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from soko.matching import boosts, scoring
from soko.matching.dal import BootstrapRuns, MatchDal, SourcesDal, StaleFeatures
from soko.matching.events import CoverageGap
from soko.matching.models import (
    BootstrapStarted,
    BootstrapStatus,
    BuyerFeatures,
    CoverageAnswer,
    CoverageItem,
    DiscoverAnswer,
    DiscoverRequest,
    FarmerFeatures,
    GapItem,
    GapsAnswer,
    MarketOption,
    Match,
    MatchConfig,
    NearbyFarmer,
    NearbyListing,
    Recommendations,
    RouteAnswer,
    RouteRequest,
)
from soko.ml import crops as ml_crops
from soko.ml import markets
from soko.shared import clock, cursor, ids, places
from soko.shared import crops as catalogue
from soko.shared.errors import Forbidden, NotFound, Unprocessable
from soko.shared.identity import Caller

MODEL_READY = 52  # observations a (crop, market) needs for a trained forecast
CACHE_SECONDS = 3600  # also bounds how far cached boosts drift with decay
CACHED_TOP = 50
RETRIES = 5
OTHER_CROP = "other"  # the one gap counter for every name the crop catalogue does not know
GAPS_SCOPE = "gaps"


@dataclass
class Matching:
    config: MatchConfig
    dal: MatchDal
    sources: SourcesDal
    publish: Callable[[list[CoverageGap]], None]


class BuyerNotFound(NotFound):
    code = "BUYER_NOT_FOUND"


class FarmerNotFound(NotFound):
    code = "FARMER_NOT_FOUND"


def crop_key(tag: str) -> str:
    """A specialty or interest as a comparable key: the catalogue's crop id, else the tag itself."""
    crop = catalogue.find(tag)
    return crop.id if crop else " ".join(tag.lower().split())


def _crop_keys(tags: list[str]) -> list[str]:
    return sorted({crop_key(t) for t in tags if t.strip()})[:20]


def _coords(district: str | None) -> tuple[float | None, float | None]:
    if not district:
        return None, None
    try:
        lat, lon = places.coordinates(district)
    except Unprocessable:
        return None, None
    return lat, lon


# ---------------------------------------------------------------------- the feature store
def update_farmer(deps: Matching, farmer_id: str, change: Callable[[FarmerFeatures], FarmerFeatures]) -> None:
    for attempt in range(RETRIES):
        old = deps.dal.get_farmer(farmer_id)
        new = change(old or FarmerFeatures(id=farmer_id))
        if old is not None and new == old and not deps.dal.rekeyed(old):
            return
        try:
            deps.dal.save_farmer(old, new)
            return
        except StaleFeatures:
            if attempt == RETRIES - 1:
                raise


def update_buyer(deps: Matching, buyer_id: str, change: Callable[[BuyerFeatures], BuyerFeatures]) -> None:
    for attempt in range(RETRIES):
        old = deps.dal.get_buyer(buyer_id)
        new = change(old or BuyerFeatures(id=buyer_id))
        if old is not None and new == old and not deps.dal.rekeyed(old):
            return
        try:
            deps.dal.save_buyer(old, new)
            return
        except StaleFeatures:
            if attempt == RETRIES - 1:
                raise


def user_changed(deps: Matching, detail: dict[str, Any]) -> None:
    """UserRegistered / ProfileUpdated: the profile (from the users table when it is there, else the
    event) becomes the user's farmer and/or buyer features."""
    user_id = str(detail["user_id"])
    profile = deps.sources.profile(user_id) or {}
    source = {**detail, **{k: v for k, v in profile.items() if v is not None}}
    role = str(source.get("role", ""))
    district = source.get("district") or None
    lat, lon = _coords(district)
    common = {"full_name": source.get("full_name"), "district": district, "lat": lat, "lon": lon}
    if role in ("farmer", "both"):
        specialties = _crop_keys(list(source.get("specialties") or []))
        rating: dict[str, int] = {}
        if "rating_count" in profile:
            rating = {"rating_sum": int(profile["rating_sum"]), "rating_count": int(profile["rating_count"])}
        update_farmer(
            deps,
            user_id,
            lambda f: f.model_copy(update={**common, "specialties": specialties, **rating}),
        )
    if role in ("buyer", "both"):
        interests = _crop_keys(list(source.get("interests") or []))
        update_buyer(deps, user_id, lambda b: b.model_copy(update={**common, "interests": interests}))


def order_decided(deps: Matching, detail: dict[str, Any], completed: bool) -> None:
    """OrderCompleted / OrderRejected: the farmer's fulfilment; a completed order adds to the
    buyer's spend (the consumer runs each event once)."""
    field = "completed" if completed else "rejected"
    update_farmer(
        deps, str(detail["farmer_id"]), lambda f: f.model_copy(update={field: getattr(f, field) + 1})
    )
    if completed:
        total = int(detail.get("total_ugx") or 0)
        update_buyer(
            deps,
            str(detail["buyer_id"]),
            lambda b: b.model_copy(
                update={"spend_ugx": b.spend_ugx + total, "orders_completed": b.orders_completed + 1}
            ),
        )


def review_submitted(deps: Matching, detail: dict[str, Any]) -> None:
    """The event carries the farmer's new totals: the larger count wins (late events never undo)."""
    total, count = int(detail["farmer_rating_sum"]), int(detail["farmer_rating_count"])

    def change(f: FarmerFeatures) -> FarmerFeatures:
        return (
            f.model_copy(update={"rating_sum": total, "rating_count": count}) if count > f.rating_count else f
        )

    update_farmer(deps, str(detail["farmer_id"]), change)


def payment_settled(deps: Matching, buyer_id: str, ok: bool) -> None:
    """PaymentCompleted / PaymentFailed (soko.payments): the buyer's payment reliability."""
    field = "payments_completed" if ok else "payments_failed"
    update_buyer(deps, buyer_id, lambda b: b.model_copy(update={field: getattr(b, field) + 1}))


def listing_changed(deps: Matching, detail: dict[str, Any]) -> None:
    listing_id, active = str(detail["listing_id"]), str(detail.get("status", "active")) == "active"

    def change(f: FarmerFeatures) -> FarmerFeatures:
        ids = set(f.active_listings)
        ids = ids | {listing_id} if active else ids - {listing_id}
        return f.model_copy(update={"active_listings": sorted(ids)})

    update_farmer(deps, str(detail["farmer_id"]), change)


# ---------------------------------------------------------------------- interactions
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
    return {
        str(i["sk"]): boosts.decayed(float(i["value"]), datetime.fromisoformat(str(i["as_of"])), now)
        for i in deps.dal.boosts(side, user_id)
    }


# ---------------------------------------------------------------------- recommendations
def _allowed(caller: Caller, user_id: str) -> None:
    if caller.user_id != user_id and not caller.is_admin:
        raise Forbidden("You can only see your own recommendations.")


def _cached(
    deps: Matching, direction: str, user_id: str, names: list[str], top_n: int
) -> tuple[Recommendations | None, dict[str, int]]:
    generations = deps.dal.generations(names)
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
        matchScore=scored.score,
        explanation=scored.explanation,
        reasons=scored.reasons,
        score_parts=scored.parts,
    )


def farmers_for_buyer(caller: Caller, buyer_id: str, top_n: int, deps: Matching) -> Recommendations:
    _allowed(caller, buyer_id)
    buyer = deps.dal.get_buyer(buyer_id)
    if buyer is None:
        raise BuyerNotFound(
            "This user has no buyer profile in the matching store yet. New accounts appear within "
            "seconds of registering.",
            details={"user_id": buyer_id},
        )
    return _recommend(
        deps,
        "farmers-for-buyer",
        buyer_id,
        top_n,
        subject=f"BUYER#{buyer_id}",
        partitions=_partitions("FARMERS", buyer.interests, buyer.district),
        rank=lambda cards: scoring.rank_farmers(
            buyer,
            [FarmerFeatures.model_validate(c) for c in cards],
            current_boosts(deps, "B", buyer_id, clock.now()),
            CACHED_TOP,
        ),
        role="farmer",
        crops_field="specialties",
    )


def buyers_for_farmer(caller: Caller, farmer_id: str, top_n: int, deps: Matching) -> Recommendations:
    _allowed(caller, farmer_id)
    farmer = deps.dal.get_farmer(farmer_id)
    if farmer is None:
        raise FarmerNotFound(
            "This user has no farmer profile in the matching store yet. New accounts appear within "
            "seconds of registering.",
            details={"user_id": farmer_id},
        )
    return _recommend(
        deps,
        "buyers-for-farmer",
        farmer_id,
        top_n,
        subject=f"FARMER#{farmer_id}",
        partitions=_partitions("BUYERS", farmer.specialties, farmer.district),
        rank=lambda cards: scoring.rank_buyers(
            farmer,
            [BuyerFeatures.model_validate(c) for c in cards],
            current_boosts(deps, "F", farmer_id, clock.now()),
            CACHED_TOP,
        ),
        role="buyer",
        crops_field="interests",
    )


def _partitions(kind: str, crops: list[str], district: str | None) -> list[str]:
    """The candidate partitions to read: one per crop of the requester, then their district."""
    partitions = sorted({f"{kind}#CROP#{c}" for c in crops})
    if district:
        partitions.append(f"{kind}#DIST#{district.lower()}")
    return partitions


def _recommend(
    deps: Matching,
    direction: Literal["farmers-for-buyer", "buyers-for-farmer"],
    user_id: str,
    top_n: int,
    *,
    subject: str,
    partitions: list[str],
    rank: Callable[[list[dict[str, Any]]], list[scoring.Scored]],
    role: Literal["farmer", "buyer"],
    crops_field: str,
) -> Recommendations:
    """The cached list if nothing it was built from changed, else rank the candidates and cache."""
    hit, generations = _cached(deps, direction, user_id, ["EPOCH", subject, *partitions], top_n)
    if hit is not None:
        return hit
    cards = {str(c["id"]): c for c in deps.dal.candidates(partitions)}
    ranked = rank(list(cards.values()))
    items = [_match(cards[s.id], role, list(cards[s.id].get(crops_field, [])), s) for s in ranked]
    answer = Recommendations(user_id=user_id, direction=direction, items=items, cached=False)
    return _remember(deps, answer, generations, top_n)


# ---------------------------------------------------------------------- routing and discovery
def _origin(request: RouteRequest) -> tuple[float, float]:
    if request.district:
        return places.coordinates(request.district)
    assert request.lat is not None and request.lon is not None
    return request.lat, request.lon


def _forecast_price(stored: dict[str, Any] | None, today: date) -> float | None:
    for p in (stored or {}).get("predictions", []):
        if date.fromisoformat(str(p["week_start"])) >= today:
            return float(p["price"])
    return None


def _option(  # noqa: PLR0917
    market: markets.Market,
    origin: tuple[float, float],
    price: float,
    source: str,
    count: int,
    request: RouteRequest,
    cost: float,
) -> MarketOption:
    km = places.haversine_km(origin, market.coordinates)
    transport = round(cost * km)
    net = round(price) - transport
    return MarketOption(
        market=market.id,
        name=market.name,
        distance_km=round(km, 1),
        price_per_kg=round(price),
        transport_per_kg=transport,
        net_per_kg=net,
        net_total_ugx=round(net * request.quantity_kg),
        price_source=source,
        observations=count,
    )


def _gap(
    request: RouteRequest, crop: str | None, reason: str, origin: tuple[float, float], deps: Matching
) -> RouteAnswer:
    """Tier 3. ``crop``: the catalogue crop asked for, or None for a name the catalogue does not
    know. A public endpoint must not let any string become a counter or an event: unknown names are
    counted together under ``other`` and publish nothing (they say nothing about what to collect
    data on); a catalogue crop is counted under its id and published as ``CoverageGap``."""
    district = request.district and places.district(request.district)
    deps.sources.count_gap(crop or OTHER_CROP, district, clock.now_iso())
    if crop is not None:
        deps.publish(
            [
                CoverageGap(
                    crop=crop,
                    reason=reason,
                    district=request.district,
                    lat=request.lat,
                    lon=request.lon,
                    quantity_kg=request.quantity_kg,
                )
            ]
        )
    nearest = markets.nearest(*origin)
    km = places.haversine_km(origin, nearest.coordinates)
    named = crop or crop_key(request.crop)
    return RouteAnswer(
        crop=named,
        tier=3,
        options=[],
        suggestion=f"We have no prices for {named} yet; we have noted the request. The nearest market is "
        f"{nearest.name} ({km:.0f} km): ask traders there before you travel.",
    )


def route(request: RouteRequest, deps: Matching) -> RouteAnswer:
    origin = _origin(request)
    crop = ml_crops.find(request.crop)
    if crop is None:
        known = catalogue.find(request.crop)
        return _gap(request, known.id if known else None, "unsupported_crop", origin, deps)
    counts: dict[str, int] = {}
    for item in deps.sources.coverage():
        if item.get("crop") == crop:
            total = sum(int(item.get(k, 0)) for k in ("wfp_count", "order_count", "synthetic_count"))
            counts[str(item["market"])] = total
    cost, today = deps.config.transport_ugx_per_kg_km, clock.now().date()
    options: list[MarketOption] = []
    for market_id, count in counts.items():
        if count < MODEL_READY or (market := _market(market_id)) is None:
            continue
        price = _forecast_price(deps.sources.forecast(market_id, crop), today)
        source = "model"
        if price is None:
            price, source = deps.sources.latest_price(market_id, crop), "latest_observation"
        if price is not None:
            options.append(_option(market, origin, price, source, count, request, cost))
    if options:
        best = sorted(options, key=lambda o: (-o.net_per_kg, o.distance_km))[:3]
        return RouteAnswer(
            crop=crop,
            tier=1,
            options=best,
            suggestion=f"Sell at {best[0].name}: about {best[0].net_per_kg:,} UGX per kg after transport.",
        )
    prices = [p for m in counts if counts[m] > 0 and (p := deps.sources.latest_price(m, crop)) is not None]
    if not prices:
        return _gap(request, crop, "no_prices", origin, deps)
    typical = statistics.median(prices)
    nearest = sorted(markets.MARKETS, key=lambda m: places.haversine_km(origin, m.coordinates))[:3]
    aggregated = [
        _option(m, origin, typical, "cross_market", counts.get(m.id, 0), request, cost) for m in nearest
    ]
    return RouteAnswer(
        crop=crop,
        tier=2,
        options=aggregated,
        suggestion=f"Too few prices per market for a forecast: across {len(prices)} market(s) {crop} sells "
        f"for about {round(typical):,} UGX per kg. The nearest market is {aggregated[0].name}.",
    )


def _market(market_id: str) -> markets.Market | None:
    return next((m for m in markets.MARKETS if m.id == market_id), None)


MAX_LISTINGS = 2000
MAX_FARMERS = 50


def discover(request: DiscoverRequest, deps: Matching) -> DiscoverAnswer:
    crop = catalogue.normalize(request.crop)
    origin = (request.lat, request.lon)
    nearby: dict[str, NearbyFarmer] = {}
    for listing in deps.sources.crop_listings(crop.id, MAX_LISTINGS):
        district = str(listing.get("district", ""))
        if district not in places.DISTRICTS:
            continue
        km = round(places.haversine_km(origin, places.DISTRICTS[district]), 1)
        if km > request.radius_km:
            continue
        farmer = nearby.setdefault(
            str(listing["farmer_id"]),
            NearbyFarmer(farmer_id=str(listing["farmer_id"]), district=district, distance_km=km, listings=[]),
        )
        if km < farmer.distance_km:
            farmer.distance_km, farmer.district = km, district
        grams = listing.get("quantity_g")
        farmer.listings.append(
            NearbyListing(
                id=str(listing["id"]),
                title=listing.get("title"),
                price_per_kg=int(listing["price_per_kg"]),
                quantity_kg=f"{int(grams) / 1000:.3f}" if grams is not None else None,
            )
        )
    ranked = sorted(nearby.values(), key=lambda f: (f.distance_km, f.farmer_id))[:MAX_FARMERS]
    for farmer in ranked:
        farmer.listings.sort(key=lambda x: (x.price_per_kg, x.id))
    return DiscoverAnswer(crop=crop.id, items=ranked)


def coverage(deps: Matching) -> CoverageAnswer:
    items = []
    for item in deps.sources.coverage():
        total = sum(int(item.get(k, 0)) for k in ("wfp_count", "order_count", "synthetic_count"))
        items.append(
            CoverageItem(
                crop=str(item["crop"]),
                market=str(item["market"]),
                observations=total,
                model_ready=total >= MODEL_READY,
            )
        )
    return CoverageAnswer(min_observations=MODEL_READY, items=sorted(items, key=lambda i: (i.crop, i.market)))


def gaps(limit: int, cursor_token: str | None, deps: Matching) -> GapsAnswer:
    """Gaps by crop, most requested first (ties by crop), ``limit`` at a time. The counters are a
    bounded set (the catalogue's crops and ``other``), read by key in one BatchGetItem and sorted
    here; the cursor is the last item's (requests, crop), so a page starts right after it."""
    after = None
    if cursor_token:
        key = cursor.decode(
            cursor_token,
            scope=GAPS_SCOPE,
            key_names={"requests", "crop"},
            numeric_keys=frozenset({"requests"}),
        )
        after = (-int(key["requests"]), str(key["crop"]))
    items = sorted(
        (
            GapItem(
                crop=str(i["sk"]),
                requests=int(i.get("requests", 0)),
                last_requested_at=i.get("last_requested_at"),
                districts=sorted(i.get("districts") or []),
            )
            for i in deps.sources.gaps([*(c.id for c in catalogue.CATALOGUE), OTHER_CROP])
        ),
        key=lambda g: (-g.requests, g.crop),
    )
    if after is not None:
        items = [g for g in items if (-g.requests, g.crop) > after]
    page = items[:limit]
    last = page[-1] if len(items) > limit else None
    token = (
        cursor.encode({"requests": Decimal(last.requests), "crop": last.crop}, scope=GAPS_SCOPE)
        if last
        else None
    )
    return GapsAnswer(items=page, next_cursor=token)


# ---------------------------------------------------------------------- bootstrap
def rebuild_page(role: str, start: dict[str, Any] | None, limit: int, deps: Matching) -> dict[str, Any]:
    """One page of the directory of ``role`` rebuilt from the sources of truth."""
    entries, last = deps.sources.directory_page(role, start, limit)
    for entry in entries:
        user_id = str(entry.get("id") or str(entry["pk"]).removeprefix("USER#"))
        district = entry.get("district") or None
        lat, lon = _coords(district)
        common = {"full_name": entry.get("full_name"), "district": district, "lat": lat, "lon": lon}
        if role == "farmer":
            stats = deps.sources.farmer_stats(user_id)
            fields = {
                **common,
                "specialties": _crop_keys(list(entry.get("specialties") or [])),
                "rating_sum": int(stats.get("rating_sum", 0)),
                "rating_count": int(stats.get("rating_count", 0)),
                "completed": int(stats.get("completed", 0)),
                "rejected": int(stats.get("rejected", 0)),
                "active_listings": sorted(deps.sources.active_listing_ids(user_id)),
            }
            update_farmer(deps, user_id, lambda f, fields=fields: f.model_copy(update=fields))  # type: ignore[misc]
        else:
            completed = [o for o in deps.sources.buyer_orders(user_id) if o.get("status") == "completed"]
            fields = {
                **common,
                "interests": _crop_keys(list(entry.get("interests") or [])),
                "orders_completed": len(completed),
                "spend_ugx": sum(int(o.get("total_ugx", 0)) for o in completed),
            }  # payment counters have no source of truth to rebuild from here: they are kept
            update_buyer(deps, user_id, lambda b, fields=fields: b.model_copy(update=fields))  # type: ignore[misc]
    return {"role": role, "rebuilt": len(entries), "cursor": json.dumps(last) if last else None}


def reset_caches(deps: Matching) -> None:
    deps.dal.bump(["EPOCH"])


def start_bootstrap(caller: Caller, runs: BootstrapRuns) -> BootstrapStarted:
    caller.require("admin")
    arn = runs.start(f"bootstrap-{ids.ulid()}")
    return BootstrapStarted(execution_id=arn, status="RUNNING")


def bootstrap_status(caller: Caller, runs: BootstrapRuns) -> BootstrapStatus:
    caller.require("admin")
    latest = runs.latest()
    if latest is None:
        return BootstrapStatus(execution_id=None, status="NONE")
    stopped = latest.get("stopDate")
    output = latest.get("output")
    return BootstrapStatus(
        execution_id=str(latest["executionArn"]),
        status=str(latest["status"]),
        started_at=clock.iso(latest["startDate"]) if latest.get("startDate") else None,
        stopped_at=clock.iso(stopped) if stopped else None,
        output=json.loads(output) if output else None,
    )
