"""``make bench`` section 6: the marketplace - browse and place-order through the gateway with
10,000 listings in the table (measured at 1,000 first), and the table's stream catching up."""

from __future__ import annotations

import functools
import itertools
import math
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from soko_local.bench.core import (
    WRITE_BATCH,
    Bench,
    Figure,
    InvokeLog,
    Samples,
    Section,
    authorizer_route,
    budget_note,
    fmt,
    progress,
    route_function,
    rss_mb,
    runtime_signer,
    sample,
    timed_request,
    ulid,
)

if TYPE_CHECKING:
    from soko.shared.identity import Caller
    from soko_local.runtime import LocalRuntime

LISTINGS_FIRST = 1_000  # browse and orders are measured here first, to show how they scale

LISTINGS_TOTAL = 10_000

CROPS = ("maize", "beans", "matoke", "cassava", "sorghum", "millet", "tomatoes", "irish potatoes")

DISTRICTS = tuple("Gulu Lira Masaka Mbarara Mbale Mukono Soroti Kabale Arua Hoima Jinja Kasese".split())

GRADES = ("Dry", "Fresh", "Grade A", "Sorted", "Clean", "Organic")

FARMERS = 200

PRICES_UGX = (300, 6000)

STOCK_KG = (200, 5000)

BROWSE_RUNS = 30

BROWSE_RUNS_FIRST = 5

ORDER_RUNS = 30

ORDER_RUNS_FIRST = 10

ORDER_KG = "1"

ORDERS_PER_BUYER = 15  # below the hourly limit (MarketConfig.orders_per_buyer_per_hour, 20)

STREAM_WAIT_S = (25.0, 5.0)  # at most, after each load: the second is not drained in minutes

SCALING_NOTE_RATIO = 1.5  # browse this much slower at 10,000 than at 1,000: say why


def _farmers(count: int) -> list[Caller]:
    from soko.shared.identity import Caller  # noqa: PLC0415

    return [
        Caller(user_id=ulid(), role="farmer", email=f"bench-farmer-{n}@example.com") for n in range(count)
    ]


def _build_listings(count: int, farmers: list[Caller], rng: random.Random) -> list[dict[str, Any]]:
    """Listing items exactly as POST /listings/ stores them: logic.create_listing with a DAL that
    keeps the item instead of writing it (and its ListingCreated event to the outbox)."""
    from decimal import Decimal  # noqa: PLC0415

    from soko.market import logic  # noqa: PLC0415
    from soko.market.dal import MarketDal  # noqa: PLC0415
    from soko.market.models import ListingCreate, MarketConfig  # noqa: PLC0415

    items: list[dict[str, Any]] = []

    class KeepingDal(MarketDal):
        def create_listing(self, item: dict[str, Any], events: Any) -> None:
            items.append(item)

    class NoMedia:
        def upload_form(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
            return {}

        def view_url(self, key: str) -> str:
            return key

    market = logic.Market(MarketConfig(market_table_name="bench"), KeepingDal("bench"), NoMedia())
    for _ in range(count):
        crop, district = rng.choice(CROPS), rng.choice(DISTRICTS)
        request = ListingCreate(
            title=f"{rng.choice(GRADES)} {crop} from {district}",
            crop=crop,
            price_per_kg=rng.randint(*PRICES_UGX),
            quantity_kg=Decimal(rng.randint(*STOCK_KG)),
            district=district,
        )
        logic.create_listing(rng.choice(farmers), request, market)
    return items


def _write_listings(runtime: LocalRuntime, table: str, items: list[dict[str, Any]]) -> float:
    """Seconds to put ``items`` with batch_write_item, WRITE_BATCH a request."""
    from boto3.dynamodb.types import TypeSerializer  # noqa: PLC0415

    serializer = TypeSerializer()
    puts = [
        {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in item.items() if v is not None}}}
        for item in items
    ]
    client = runtime.client("dynamodb")
    started = time.perf_counter()
    for start in range(0, len(puts), WRITE_BATCH):
        pending: dict[str, Any] = {table: puts[start : start + WRITE_BATCH]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return time.perf_counter() - started


@dataclass
class _Written:
    """One batch of listings written, and the wait for their stream records after it."""

    listings: int
    write_s: float
    wait_s: float  # until the consumer had been handed their records, or the wait's cap
    behind: int  # records not delivered when the wait ended
    rate: float  # records delivered a second during the wait


@dataclass
class _Load:
    """Listings written into the table, and their way through the table's stream."""

    table: str  # physical name
    consumer: str | None  # the function the runtime feeds the table's stream to
    built_s: float = 0.0
    stages: list[_Written] = field(default_factory=list)
    invocations: int = 0  # of the consumer, from the first write on
    baseline: int = 0  # records of the table's stream delivered before the first write

    def streamed(self, log: InvokeLog) -> int:
        """Records of the table's stream the runtime has delivered so far."""
        return sum(n for arn, n in log.records.items() if f":table/{self.table}/stream/" in arn)

    def delivered(self, log: InvokeLog) -> int:
        return self.streamed(log) - self.baseline

    @property
    def written(self) -> int:
        return sum(stage.listings for stage in self.stages)


def _load(
    runtime: LocalRuntime, log: InvokeLog, load: _Load, items: list[dict[str, Any]], wait_s: float
) -> None:
    """Write ``items``, then wait (at most ``wait_s``) until the runtime has handed every
    listing's stream record to the consumer, so the measurements that follow do not compete with
    that. (Records of other writes, the orders', count too: "behind" is approximate.)"""
    if not load.stages:
        load.baseline = load.streamed(log)
    mark = len(log.calls)
    seconds = _write_listings(runtime, load.table, items)
    written, delivered = load.written + len(items), load.delivered(log)
    started = time.perf_counter()
    while load.consumer and load.delivered(log) < written:
        if time.perf_counter() - started > wait_s:
            break
        time.sleep(0.1)
    waited = time.perf_counter() - started
    behind = max(0, written - load.delivered(log)) if load.consumer else 0
    rate = (load.delivered(log) - delivered) / waited if waited > 0 else 0.0
    load.stages.append(_Written(len(items), seconds, waited, behind, rate))
    load.invocations += sum(1 for logical_id, _ in log.calls[mark:] if logical_id == load.consumer)


@dataclass
class _Shop:
    """What the marketplace's requests share."""

    base_url: str
    session: requests.Session
    tokens: list[str]  # the buyers' access tokens
    rng: random.Random
    buyers: Iterator[str] = field(init=False)  # the tokens, round-robin

    def __post_init__(self) -> None:
        self.buyers = itertools.cycle(self.tokens)


@dataclass
class _Stage:
    """Browse and place-order at one table size."""

    listings: int
    browse: dict[str, Samples] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # label -> what its page held
    orders: Samples | None = None


BROWSE_SHAPES: tuple[tuple[str, dict[str, str]], ...] = (
    ("newest, no filter", {}),
    ("crop=maize&sort=price", {"crop": "maize", "sort": "price"}),
    ("district=Gulu", {"district": "Gulu"}),
    (
        "crop=beans&district=Gulu&min/max_price",
        {"crop": "beans", "district": "Gulu", "min_price": "1000", "max_price": "4000"},
    ),
    ("q=maze (typo)", {"q": "maze"}),
)

SECOND_PAGE = "2nd page of newest (cursor)"


def _page(response: requests.Response | None) -> tuple[str, str | None]:
    """(what the page held, its cursor)."""
    if response is None:
        return "no response", None
    try:
        body = response.json()
        items, cursor = len(body["items"]), body.get("next_cursor")
    except (ValueError, KeyError, TypeError):
        return f"status {response.status_code}", None
    return f"{items} items" + (" + cursor" if cursor else ", last page"), cursor


def _browse_shape(shop: _Shop, stage: _Stage, label: str, params: dict[str, str], runs: int) -> str | None:
    """Sample one query shape; returns the cursor of its (last) page."""
    url = f"{shop.base_url}/listings/"
    stage.browse[label] = sample(
        200, runs, functools.partial(timed_request, shop.session, "GET", url, params=params)
    )
    stage.pages[label], cursor = _page(stage.browse[label].last)
    return cursor


def _measure_browse(shop: _Shop, stage: _Stage, runs: int) -> None:
    second_page = None
    for label, params in BROWSE_SHAPES:
        cursor = _browse_shape(shop, stage, label, params, runs)
        second_page = second_page or (cursor if not params else None)
    if second_page:  # the first page of everything came with a cursor
        _browse_shape(shop, stage, SECOND_PAGE, {"cursor": second_page}, runs)


def _measure_orders(shop: _Shop, listing_ids: list[str], runs: int, *, warm_up: bool) -> Samples:
    def place() -> tuple[float, requests.Response]:
        return timed_request(
            shop.session,
            "POST",
            f"{shop.base_url}/orders/",
            json={"listing_id": shop.rng.choice(listing_ids), "quantity_kg": ORDER_KG},
            headers={"authorization": f"Bearer {next(shop.buyers)}"},
        )

    if warm_up:  # the worker, and the authorizer's answer for each token, without an order: a 422
        for token in shop.tokens:
            shop.session.post(
                f"{shop.base_url}/orders/", json={}, headers={"authorization": f"Bearer {token}"}, timeout=60
            )
    # A timed-out order goes on running in moto: one is enough to know, and more would pile up.
    return sample(201, runs, place, give_up_on_5xx=True)


def _stage(shop: _Shop, listing_ids: list[str], runs: tuple[int, int], *, warm_up: bool) -> _Stage:
    stage = _Stage(len(listing_ids))
    progress(f"browse with {stage.listings:,} listings ({len(BROWSE_SHAPES) + 1} query shapes)")
    _measure_browse(shop, stage, runs[0])
    progress(f"place-order with {stage.listings:,} listings")
    stage.orders = _measure_orders(shop, listing_ids, runs[1], warm_up=warm_up)
    return stage


def _at(stage: _Stage, samples: Samples | None) -> str:
    """The same figure at the smaller table size, for the details."""
    if samples is None:
        return ""
    failed = ", ".join(
        f"{n} x {status}" for status, n in sorted(samples.statuses.items()) if status != samples.expected
    )
    if samples.p50 is None:
        return f"; at {stage.listings:,}: {failed}"
    counted = ", ".join([f"N={samples.statuses.total()}", *([failed] if failed else [])])
    return f"; at {stage.listings:,}: {fmt(samples.p50, 'ms')} ({counted})"


def _market_figures(load: _Load, stages: tuple[_Stage, _Stage], buyers: int) -> list[Figure]:
    small, large = stages
    written = sum(stage.write_s for stage in load.stages)
    each = ", ".join(f"{stage.listings:,} in {stage.write_s:.1f} s" for stage in load.stages)
    waits = "; ".join(
        f"at {stage.listings:,}: {batch.behind:,} behind after {batch.wait_s:.0f} s ({batch.rate:.0f}/s)"
        for batch, stage in zip(load.stages, stages, strict=True)
    )
    figures = [
        Figure(
            f"load {LISTINGS_TOTAL:,} listings (batch_write_item)",
            written,
            "s",
            None,
            f"{LISTINGS_TOTAL / written:.0f}/s ({each}); built by create_listing in {load.built_s:.1f} s",
        ),
        Figure(
            "then waiting on MarketTable's stream (capped)",
            sum(stage.wait_s for stage in load.stages) if load.consumer else None,
            "s",
            None,
            f"records to {load.consumer} ({load.invocations} invocations); {waits}",
        ),
    ]
    for label, samples in large.browse.items():
        figures.append(
            Figure(
                f"GET /listings/ {label}",
                samples.p50,
                "ms",
                None,
                f"{samples.detail()}; {large.pages[label]}{_at(small, small.browse.get(label))}",
            )
        )
    assert large.orders is not None
    figures += [
        Figure(
            f"POST /orders/ ({ORDER_KG} kg, {buyers} buyers)",
            large.orders.p50,
            "ms",
            None,
            large.orders.detail() + _at(small, small.orders),
        ),
        Figure("RSS of this process (moto holding the table)", rss_mb(os.getpid()), "MB"),
    ]
    return figures


def _browse_note(small: _Stage, large: _Stage) -> list[str]:
    """Why browse grows with the table, if it does."""
    grown = {
        label: p50 / before
        for label, samples in large.browse.items()
        if (p50 := samples.p50) and label in small.browse and (before := small.browse[label].p50)
    }
    slower = [f"{label} {ratio:.1f}x" for label, ratio in grown.items() if ratio >= SCALING_NOTE_RATIO]
    if not slower:
        return []
    return [
        f"browse grows with the table ({large.listings:,} listings against {small.listings:,}: "
        f"{', '.join(slower)}): moto evaluates a GSI query in memory, going through every item of "
        "the table and sorting the partition on each call, then serialises each item it returns "
        "(slowly); a page whose filter rejects most of what it reads (district within a crop) "
        "takes up to 10 queries (MarketDal._filtered_page). These figures measure the emulator, not "
        "DynamoDB, whose query cost follows the items read, not the table's size"
    ]


def _order_note(runtime: LocalRuntime, log: InvokeLog, small: _Stage, large: _Stage) -> list[str]:
    assert small.orders is not None and large.orders is not None
    function = route_function(runtime, "POST /orders/")
    failures = ", ".join(f"{n} x {kind}" for (name, kind), n in log.errors.items() if name == function)
    small_ms, large_ms = small.orders.p50, large.orders.p50
    slower = large_ms is None or (small_ms is not None and large_ms >= SCALING_NOTE_RATIO * small_ms)
    if not (slower or failures):
        return []
    how = (
        f"is {large_ms / small_ms:.1f}x slower at {large.listings:,} listings"
        if large_ms and small_ms
        else f"failed at {large.listings:,} listings"
    )
    return [
        f"place-order {how}"
        + (
            f" ({function}: {failures}; Timeout {runtime.deployment.functions[function].timeout} s)"
            if failures
            else ""
        )
        + ": moto's transact_write_items deep-copies the whole table (its items and its stream "
        "records) once per item of the transaction, for a rollback; an order is a transaction of "
        "6 or more items. The emulator again: on DynamoDB a transaction's cost does not depend on "
        "the table's size"
        + (
            "; sampling stopped at the first server error (a timed-out order goes on running in moto)"
            if large.orders.gave_up
            else ""
        )
    ]


def _order_limit(runtime: LocalRuntime) -> int:
    """Orders a buyer may place an hour: OrdersCreateFunction's setting, else MarketConfig's default."""
    from soko.market.models import MarketConfig  # noqa: PLC0415

    environment = runtime.deployment.functions[route_function(runtime, "POST /orders/")].environment
    default = MarketConfig.model_fields["orders_per_buyer_per_hour"].default
    return int(environment.get("ORDERS_PER_BUYER_PER_HOUR", default))


def _stream_note(load: _Load) -> list[str]:
    if not load.invocations:
        return []
    last = load.stages[-1]
    if last.behind:
        when = (
            f"the figures above were measured with the stream behind, as noted: it competes with moto, "
            f"in this process, for the CPU (at {last.rate:.0f} records/s it needed ~"
            f"{last.behind / max(last.rate, 1):.0f} s more to catch up)"
        )
    else:
        when = "the figures above were measured after it had delivered the loads"
    return [
        f"the runtime hands every record of MarketTable's stream to {load.consumer} (each listing "
        "write, which it skips): it does not apply the event source's FilterCriteria (OUTBOX# "
        "inserts only), and it reads the stream 25 records a GetRecords, each answer serialised by "
        f"moto. The wait for it is capped; {when}"
    ]


def _market_notes(
    runtime: LocalRuntime, log: InvokeLog, load: _Load, stages: tuple[_Stage, _Stage]
) -> list[str]:
    small, large = stages
    authorizer = authorizer_route(runtime)[2]
    notes = [
        f"{LISTINGS_TOTAL:,} listings over {len(CROPS)} crops, {len(DISTRICTS)} districts, {FARMERS} "
        f"farmers, {PRICES_UGX[0]}-{PRICES_UGX[1]} UGX/kg, built by logic.create_listing and written "
        f"straight into MarketTable ({WRITE_BATCH} per batch_write_item, no outbox events); browse "
        f"and place-order were measured at {small.listings:,} listings first",
        f"orders: {ORDER_KG} kg each of a random listing, round-robin over buyers' tokens signed with "
        f"the JWT secret (at most {ORDERS_PER_BUYER} orders each: the limit is {_order_limit(runtime)} "
        "an hour); the "
        f"gateway caches the authorizer's answer per token for {authorizer.ttl_seconds} s, as API "
        "Gateway does",
    ]
    notes += _stream_note(load)
    notes += _browse_note(small, large)
    notes += _order_note(runtime, log, small, large)
    assert small.orders is not None and large.orders is not None
    notes += budget_note([*small.browse.values(), *large.browse.values(), small.orders, large.orders])
    return notes


def measure(bench: Bench) -> Section:
    runtime, log = bench.runtime, bench.log
    section = Section(
        f"6. Marketplace through the gateway with {LISTINGS_TOTAL:,} listings (p50; p95 in the details)"
    )
    rng = random.Random(2026)  # noqa: S311  (test data, not secrets)
    signer = runtime_signer(runtime)
    consumer = next(
        (s.function for s in runtime.app.event_sources if s.kind == "dynamodb" and s.queue == "MarketTable"),
        None,
    )
    load = _Load(runtime.deployment.physical["MarketTable"], consumer)
    progress(f"building {LISTINGS_TOTAL:,} listings with logic.create_listing")
    started = time.perf_counter()
    items = _build_listings(LISTINGS_TOTAL, _farmers(FARMERS), rng)
    load.built_s = time.perf_counter() - started
    ids = [str(item["id"]) for item in items]
    orders = ORDER_RUNS_FIRST + ORDER_RUNS
    tokens = [
        signer.token(ulid(), "buyer", f"bench-buyer-{n}@example.com")
        for n in range(max(3, math.ceil(orders / ORDERS_PER_BUYER)))
    ]
    with requests.Session() as session:
        shop = _Shop(runtime.base_url, session, tokens, rng)
        progress(f"loading {LISTINGS_FIRST:,} listings")
        _load(runtime, log, load, items[:LISTINGS_FIRST], STREAM_WAIT_S[0])
        small = _stage(shop, ids[:LISTINGS_FIRST], (BROWSE_RUNS_FIRST, ORDER_RUNS_FIRST), warm_up=True)
        progress(f"loading {LISTINGS_TOTAL - LISTINGS_FIRST:,} more listings")
        _load(runtime, log, load, items[LISTINGS_FIRST:], STREAM_WAIT_S[1])
        large = _stage(shop, ids, (BROWSE_RUNS, ORDER_RUNS), warm_up=False)
    section.figures += _market_figures(load, (small, large), len(tokens))
    section.notes += _market_notes(runtime, log, load, (small, large))
    return section
