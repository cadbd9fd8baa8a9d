"""Where to sell (market routing, in three tiers), who sells a crop nearby (discovery), and what
the price layer covers (coverage, and the gaps people asked about). Prices, coverage and gap
counters are read through :mod:`soko.ml.public`, listings through :mod:`soko.market.public`."""

from __future__ import annotations

import statistics
from datetime import date
from decimal import Decimal

from soko.matching.context import Matching
from soko.matching.events import CoverageGap
from soko.matching.features import crop_key
from soko.matching.models import (
    CoverageAnswer,
    CoverageItem,
    DiscoverAnswer,
    DiscoverRequest,
    GapItem,
    GapsAnswer,
    MarketOption,
    NearbyFarmer,
    NearbyListing,
    RouteAnswer,
    RouteRequest,
)
from soko.ml import public as prices
from soko.shared import clock, cursor, places
from soko.shared import crops as catalogue

MODEL_READY = 52  # observations a (crop, market) needs for a trained forecast
OTHER_CROP = "other"  # the one gap counter for every name the crop catalogue does not know
GAPS_SCOPE = "gaps"


def _origin(request: RouteRequest) -> tuple[float, float]:
    if request.district:
        return places.coordinates(request.district)
    assert request.lat is not None and request.lon is not None
    return request.lat, request.lon


def _option(  # noqa: PLR0917
    market: prices.Market,
    origin: tuple[float, float],
    price: float,
    source: str,
    count: int,
    request: RouteRequest,
    cost: float,
    fresh: prices.Freshness,
) -> MarketOption:
    km = places.haversine_km(origin, market.coordinates)
    transport = round(cost * km)
    net = round(price) - transport
    return MarketOption(
        data_through=fresh.data_through,
        data_age_days=fresh.age_days,
        stale=fresh.stale,
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
    deps.sources.prices.count_gap(crop or OTHER_CROP, district, clock.now_iso())
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
    nearest = prices.nearest_market(*origin)
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
    crop = prices.find_crop(request.crop)
    if crop is None:
        known = catalogue.find(request.crop)
        return _gap(request, known.id if known else None, "unsupported_crop", origin, deps)
    counts: dict[str, int] = {}
    for pair in deps.sources.prices.coverage():
        if pair.crop == crop:
            counts[pair.market] = pair.observations
    cost, today = deps.config.transport_ugx_per_kg_km, clock.now().date()
    options: list[MarketOption] = []
    reader = deps.sources.prices
    for market_id, count in counts.items():
        if count < MODEL_READY or (market := _market(market_id)) is None:
            continue
        point = reader.price_on(market_id, crop, today)
        if point is not None:
            fresh = reader.freshness(point.data_through)
            options.append(_option(market, origin, point.price, point.source, count, request, cost, fresh))
    if options:
        best = sorted(options, key=lambda o: (-o.net_per_kg, o.distance_km))[:3]
        return RouteAnswer(
            crop=crop,
            tier=1,
            options=best,
            suggestion=f"Sell at {best[0].name}: about {best[0].net_per_kg:,} UGX per kg after transport."
            + _age_warning(best[0].data_through, best[0].stale),
        )
    latest = [p for m in counts if counts[m] > 0 and (p := reader.latest(m, crop)) is not None]
    if not latest:
        return _gap(request, crop, "no_prices", origin, deps)
    typical = statistics.median(p.price for p in latest)
    fresh = reader.freshness(max((p.data_through for p in latest if p.data_through), default=None))
    nearest = sorted(prices.MARKETS, key=lambda m: places.haversine_km(origin, m.coordinates))[:3]
    aggregated = [
        _option(m, origin, typical, "cross_market", counts.get(m.id, 0), request, cost, fresh)
        for m in nearest
    ]
    return RouteAnswer(
        crop=crop,
        tier=2,
        options=aggregated,
        suggestion=f"Too few prices per market for a forecast: across {len(latest)} market(s) {crop} sells "
        f"for about {round(typical):,} UGX per kg. The nearest market is {aggregated[0].name}."
        + _age_warning(fresh.data_through, fresh.stale),
    )


def _age_warning(data_through: date | None, stale: bool) -> str:
    """A stale price says so in the suggestion (the options carry ``stale`` and the date too)."""
    if not stale:
        return ""
    if data_through is None:
        return " Careful: the date of these prices is unknown; ask traders for today's price."
    age = prices.age_text(prices.freshness(data_through, prices.today()), "en")
    return (
        f" Careful: the newest price is from {prices.day_text(data_through)} ({age}); ask traders for "
        "today's price before you travel."
    )


def _market(market_id: str) -> prices.Market | None:
    return next((m for m in prices.MARKETS if m.id == market_id), None)


MAX_LISTINGS = 2000
MAX_FARMERS = 50


def discover(request: DiscoverRequest, deps: Matching) -> DiscoverAnswer:
    crop = catalogue.normalize(request.crop)
    origin = (request.lat, request.lon)
    nearby: dict[str, NearbyFarmer] = {}
    for listing in deps.sources.market.crop_listings(crop.id, MAX_LISTINGS):
        district = listing.district
        if district not in places.DISTRICTS:
            continue
        km = round(places.haversine_km(origin, places.DISTRICTS[district]), 1)
        if km > request.radius_km:
            continue
        farmer = nearby.setdefault(
            listing.farmer_id,
            NearbyFarmer(farmer_id=listing.farmer_id, district=district, distance_km=km, listings=[]),
        )
        if km < farmer.distance_km:
            farmer.distance_km, farmer.district = km, district
        grams = listing.quantity_g
        farmer.listings.append(
            NearbyListing(
                id=listing.id,
                title=listing.title,
                price_per_kg=listing.price_per_kg,
                quantity_kg=f"{int(grams) / 1000:.3f}" if grams is not None else None,
            )
        )
    ranked = sorted(nearby.values(), key=lambda f: (f.distance_km, f.farmer_id))[:MAX_FARMERS]
    for farmer in ranked:
        farmer.listings.sort(key=lambda x: (x.price_per_kg, x.id))
    return DiscoverAnswer(crop=crop.id, items=ranked)


def coverage(deps: Matching) -> CoverageAnswer:
    items = [
        CoverageItem(
            crop=pair.crop,
            market=pair.market,
            observations=pair.observations,
            model_ready=pair.observations >= MODEL_READY,
        )
        for pair in deps.sources.prices.coverage()
    ]
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
                crop=gap.crop,
                requests=gap.requests,
                last_requested_at=gap.last_requested_at,
                districts=gap.districts,
            )
            for gap in deps.sources.prices.gaps([*(c.id for c in catalogue.CATALOGUE), OTHER_CROP])
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
