"""``make bench`` section 9: matching (issue 6), in the bench's local runtime.

(a) scoring 100,000 candidate farmers for one buyer in-process (``scoring.fast_farmer_scores``, the
column-wise path; the issue's target is 50 ms), and the full ranking with explanations that a
request runs; (b) ``GET /ml/recommend/farmers-for-buyer/{id}`` through the gateway with 10,000
farmers in the feature store, first answer and cached answer; (c) how long the consumers take to
make a newly registered user appear (register over HTTP, then poll the recommendations).

The 10,000 farmers are written straight into MatchTable: the feature records and candidate items
exactly as ``features.update_farmer`` and ``MatchDal`` build them, put with batch_write_item instead
of one transaction each (the pipeline would take minutes to do the same).
"""

from __future__ import annotations

import functools
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from unittest import mock

import requests

from soko_local.bench.core import (
    WRITE_BATCH,
    Bench,
    Figure,
    Section,
    Signer,
    aws_of,
    median,
    ms_since,
    p95,
    progress,
    runtime_signer,
    ulid,
)

if TYPE_CHECKING:
    from soko.matching.context import Matching
    from soko_local.runtime import LocalRuntime

SCORING_CANDIDATES = 100_000

SCORING_RUNS = 7

SCORING_TARGET_MS = 50.0

RANK_CANDIDATES = 10_000

RANK_RUNS = 3

FEATURE_FARMERS = 10_000

BUYERS = 12

CACHED_RUNS = 3  # cached answers per buyer

REQUEST_BUDGET_S = 60.0  # first answers stop after this long (with at least MIN_BUYERS buyers)

MIN_BUYERS = 5

NEW_USERS = 5

APPEAR_TIMEOUT_S = 30.0

POLL_S = 0.05

PROBE_DISTRICT, PROBE_CROP = "Kitgum", "coffee"  # in no bench farmer's partitions: a small list

SAMPLE_BUYER_QUERY = 3  # buyers whose candidate query is also timed in-process

PASSWORD = "Bench-matching-2026!"  # noqa: S105  (throwaway accounts in the bench's own runtime)


@functools.cache
def _crops() -> tuple[str, ...]:
    """The population's crops: every catalogue crop but the probe's."""
    from soko.shared import crops  # noqa: PLC0415

    return tuple(c.id for c in crops.CATALOGUE if c.id != PROBE_CROP)


@functools.cache
def _districts() -> tuple[str, ...]:
    from soko.shared import places  # noqa: PLC0415

    return tuple(d for d in places.DISTRICTS if d != PROBE_DISTRICT)


def _columns(rng: random.Random, count: int) -> tuple[list[frozenset[str]], list[str], list[float]]:
    from soko.matching import features, scoring  # noqa: PLC0415

    keys = [features.crop_key(c) for c in _crops()]
    specialties = [frozenset(rng.sample(keys, k=rng.randint(1, 3))) for _ in range(count)]
    districts = [rng.choice(_districts()) for _ in range(count)]
    static = [
        scoring.W_RATING * rng.uniform(3, 5) / 5 + scoring.W_FULFILMENT * rng.uniform(0.5, 1)
        for _ in range(count)
    ]
    return specialties, districts, static


def _scoring_ms(rng: random.Random) -> tuple[list[float], list[float]]:
    """(scores only, scores and the top 50 picked) for SCORING_CANDIDATES, SCORING_RUNS times each."""
    import heapq  # noqa: PLC0415

    from soko.matching import features, scoring  # noqa: PLC0415

    specialties, districts, static = _columns(rng, SCORING_CANDIDATES)
    interests = {features.crop_key(c) for c in _crops()[:3]}
    scores_only, with_top = [], []
    for _ in range(SCORING_RUNS):
        started = time.perf_counter()
        scores = scoring.fast_farmer_scores(interests, "Lira", specialties, districts, static)
        scores_only.append(ms_since(started))
        started = time.perf_counter()
        scores = scoring.fast_farmer_scores(interests, "Lira", specialties, districts, static)
        heapq.nlargest(50, range(len(scores)), key=scores.__getitem__)
        with_top.append(ms_since(started))
    return scores_only, with_top


def _rank_ms(rng: random.Random) -> list[float]:
    """The request's own ranking (pydantic features, parts and reasons) over RANK_CANDIDATES."""
    from soko.matching import features, scoring  # noqa: PLC0415
    from soko.matching.models import BuyerFeatures, FarmerFeatures  # noqa: PLC0415

    farmers = [FarmerFeatures.model_validate(_farmer_fields(rng, f"F{n}")) for n in range(RANK_CANDIDATES)]
    buyer = BuyerFeatures(id="B", district="Lira", interests=[features.crop_key(c) for c in _crops()[:3]])
    timings = []
    for _ in range(RANK_RUNS):
        started = time.perf_counter()
        scoring.rank_farmers(buyer, farmers, {}, 50)
        timings.append(ms_since(started))
    return timings


def _farmer_fields(rng: random.Random, farmer_id: str) -> dict[str, Any]:
    from soko.matching import features  # noqa: PLC0415
    from soko.shared import places  # noqa: PLC0415

    district = rng.choice(_districts())
    lat, lon = places.coordinates(district)
    count = rng.randint(0, 40)
    decided = rng.randint(0, 30)
    completed = rng.randint(decided // 2, decided)
    return {
        "id": farmer_id,
        "full_name": f"Bench farmer {farmer_id[-6:]}",
        "district": district,
        "lat": lat,
        "lon": lon,
        "specialties": sorted({features.crop_key(c) for c in rng.sample(_crops(), k=rng.randint(1, 3))}),
        "rating_count": count,
        "rating_sum": sum(rng.randint(3, 5) for _ in range(count)),
        "completed": completed,
        "rejected": decided - completed,
    }


def _replacing[T](record: T) -> Callable[[T], T]:
    return lambda _old: record


def _kept_items(build: Callable[[Matching], None]) -> list[dict[str, Any]]:
    """The Put items of the transactions ``build`` makes through logic and MatchDal, not written:
    a DAL that knows no one yet (every save is a create) and a transact that keeps its items. The
    generation bumps are left out: the caller bumps the epoch once instead."""
    from soko.matching import dal as match_dal  # noqa: PLC0415
    from soko.matching.context import Matching, Sources  # noqa: PLC0415
    from soko.matching.models import MatchConfig  # noqa: PLC0415
    from soko.shared import dynamo  # noqa: PLC0415

    puts: list[dict[str, Any]] = []

    class KeepingDal(match_dal.MatchDal):
        def get_features(self, kind: Any, user_id: str) -> None:
            return None

    def keep(items: list[dict[str, Any]]) -> list[str | None]:
        puts.extend(i["Put"]["Item"] for i in items if "Put" in i)
        return []  # committed: nothing was stale

    def unread() -> Any:
        raise AssertionError("building features reads no other domain")

    deps = Matching(
        MatchConfig(), lambda: KeepingDal("bench"), Sources(unread, unread, unread), lambda events: None
    )
    with mock.patch.object(dynamo, "transact", keep):
        build(deps)
    return puts


def _load_features(runtime: LocalRuntime, rng: random.Random, buyers: list[str]) -> tuple[float, int]:
    """(seconds, items) to put FEATURE_FARMERS farmers and the bench buyers into MatchTable."""
    from soko.matching import features  # noqa: PLC0415
    from soko.matching.models import BuyerFeatures, FarmerFeatures  # noqa: PLC0415

    def build(deps: Matching) -> None:
        for _ in range(FEATURE_FARMERS):
            fields = _farmer_fields(rng, ulid())
            features.update_features(deps, FarmerFeatures, fields["id"], _replacing(FarmerFeatures(**fields)))
        for n, buyer_id in enumerate(buyers):
            interests = sorted({features.crop_key(c) for c in rng.sample(_crops(), k=rng.randint(1, 3))})
            district = PROBE_DISTRICT if n == 0 else rng.choice(_districts())
            if n == 0:
                interests = [features.crop_key(PROBE_CROP)]
            record = BuyerFeatures(id=buyer_id, district=district, interests=interests)
            features.update_features(deps, BuyerFeatures, buyer_id, _replacing(record))

    items = _kept_items(build)
    table = runtime.deployment.physical["MatchTable"]
    client = runtime.client("dynamodb")
    started = time.perf_counter()
    for start in range(0, len(items), WRITE_BATCH):
        pending: dict[str, Any] = {
            table: [{"PutRequest": {"Item": item}} for item in items[start : start + WRITE_BATCH]]
        }
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    client.update_item(  # the epoch every cached list depends on: nothing cached survives the load
        TableName=table,
        Key={"pk": {"S": "GEN#EPOCH"}, "sk": {"S": "GEN"}},
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    return time.perf_counter() - started, len(items)


def _recommend(
    session: requests.Session, url: str, buyer_id: str, headers: dict[str, str], top_n: int = 5
) -> tuple[float, requests.Response]:
    started = time.perf_counter()
    response = session.get(
        f"{url}/ml/recommend/farmers-for-buyer/{buyer_id}",
        headers=headers,
        params={"top_n": top_n},
        timeout=120,
    )
    return ms_since(started), response


@dataclass
class _Answers:
    first: list[float] = field(default_factory=list)  # ms, 200s only
    cached: list[float] = field(default_factory=list)
    failed: Counter[int] = field(default_factory=Counter)  # status -> count (a timeout is a 500)
    failed_ms: list[float] = field(default_factory=list)

    def detail(self, values: list[float]) -> str:
        text = f"N={len(values)}"
        if self.failed:
            listed = ", ".join(f"{n} x {status}" for status, n in sorted(self.failed.items()))
            text += f"; errors {listed} after {median(self.failed_ms) / 1000:.1f} s"
        return text


def _requests(session: requests.Session, url: str, buyers: list[str], signer: Signer) -> _Answers:
    """Each bench buyer's first answer (computed and cached), then CACHED_RUNS cached ones."""
    answers = _Answers()
    started = time.perf_counter()
    for n, buyer_id in enumerate(buyers):
        if n >= MIN_BUYERS and time.perf_counter() - started > REQUEST_BUDGET_S:
            break
        headers = {"Authorization": f"Bearer {signer.token(buyer_id, 'buyer', f'bench-{n}@example.com')}"}
        ms, response = _recommend(session, url, buyer_id, headers)
        if response.status_code != 200:
            answers.failed[response.status_code] += 1
            answers.failed_ms.append(ms)
            continue
        if response.json().get("cached") is not False:
            raise RuntimeError(f"recommend {buyer_id}: a first answer came from the cache")
        answers.first.append(ms)
        for _ in range(CACHED_RUNS):
            ms, response = _recommend(session, url, buyer_id, headers)
            if response.status_code != 200 or response.json().get("cached") is not True:
                raise RuntimeError(
                    f"recommend {buyer_id} again: {response.status_code} {response.text[:200]}"
                )
            answers.cached.append(ms)
    return answers


def _query_cost(runtime: LocalRuntime, buyers: list[str]) -> tuple[list[float], list[int]]:
    """(ms, candidates) of the candidate query alone (``MatchDal.candidates``), run here against the
    runtime's moto, for a few bench buyers: how much of a first answer is the table's."""
    from soko.matching.dal import MatchDal  # noqa: PLC0415
    from soko.matching.models import BuyerFeatures  # noqa: PLC0415

    timings, counts = [], []
    with aws_of(runtime):
        dal = MatchDal(runtime.deployment.physical["MatchTable"])
        for buyer_id in buyers[:SAMPLE_BUYER_QUERY]:
            buyer = dal.get_features(BuyerFeatures, buyer_id)
            assert buyer is not None
            partitions = sorted({f"FARMERS#CROP#{c}" for c in buyer.interests})
            partitions += [f"FARMERS#DIST#{buyer.district.lower()}"] if buyer.district else []
            started = time.perf_counter()
            counts.append(sum(1 for _ in dal.candidates(partitions)))
            timings.append(ms_since(started))
    return timings, counts


def _poll(until: Callable[[], bool]) -> float | None:
    """Seconds until ``until()`` holds, polling every POLL_S; None after APPEAR_TIMEOUT_S."""
    started = time.perf_counter()
    while time.perf_counter() - started < APPEAR_TIMEOUT_S:
        if until():
            return time.perf_counter() - started
        time.sleep(POLL_S)
    return None


def _new_farmer(
    session: requests.Session, url: str, signer: Signer, probe: tuple[str, dict[str, str]]
) -> tuple[float | None, float | None]:
    """(registered -> in the feature store, profile saved -> in the probe buyer's recommendations)."""
    email = f"bench-match-{ulid().lower()}@example.com"
    created = session.post(
        f"{url}/auth/register",
        json={"email": email, "password": PASSWORD, "role": "farmer", "fullName": "Bench Newcomer"},
        timeout=60,
    )
    if created.status_code != 201:
        raise RuntimeError(f"register: {created.status_code} {created.text[:200]}")
    farmer_id = str(created.json()["id"])
    own = {"Authorization": f"Bearer {signer.token(farmer_id, 'farmer', email)}"}
    stored = _poll(
        lambda: (
            session.get(
                f"{url}/ml/recommend/buyers-for-farmer/{farmer_id}", headers=own, timeout=60
            ).status_code
            == 200
        )
    )
    updated = session.put(
        f"{url}/users/me",
        headers=own,
        json={"district": PROBE_DISTRICT, "specialties": [PROBE_CROP]},
        timeout=60,
    )
    if updated.status_code != 200:
        raise RuntimeError(f"profile: {updated.status_code} {updated.text[:200]}")
    buyer_id, headers = probe

    def recommended() -> bool:
        _, response = _recommend(session, url, buyer_id, headers, top_n=50)
        return response.status_code == 200 and any(m["id"] == farmer_id for m in response.json()["items"])

    return stored, _poll(recommended)


def _seconds(values: list[float | None]) -> tuple[float | None, str]:
    found = [v for v in values if v is not None]
    if not found:
        return None, f"N={len(values)}; none appeared within {APPEAR_TIMEOUT_S:.0f} s"
    missing = len(values) - len(found)
    return statistics.median(found), f"max {max(found):.2f} s, N={len(values)}" + (
        f"; {missing} not within {APPEAR_TIMEOUT_S:.0f} s" if missing else ""
    )


def measure(bench: Bench) -> Section:
    runtime, log = bench.runtime, bench.log
    section = Section("9. Matching (scoring in-process; recommendations through the gateway, 10,000 farmers)")
    rng = random.Random(2026)  # noqa: S311  (a sample, not a secret)
    progress(f"matching: scoring {SCORING_CANDIDATES:,} candidates in-process")
    scores_only, with_top = _scoring_ms(rng)
    ranked = _rank_ms(rng)
    buyers = [ulid() for _ in range(BUYERS + 1)]  # the first one is the probe buyer of (c)
    progress(f"matching: writing {FEATURE_FARMERS:,} farmers into MatchTable")
    load_s, items = _load_features(runtime, rng, buyers)
    signer = runtime_signer(runtime)
    url = runtime.base_url
    calls_before = len(log.calls)
    with requests.Session() as session:
        progress("matching: recommendations through the gateway")
        answers = _requests(session, url, buyers[1:], signer)
        in_function = [ms for name, ms in log.calls[calls_before:] if name == "FarmersForBuyerFunction"]
        progress(f"matching: {NEW_USERS} new farmers, register -> recommended")
        probe_token = signer.token(buyers[0], "buyer", "bench-probe@example.com")
        probe = (buyers[0], {"Authorization": f"Bearer {probe_token}"})
        appeared = [_new_farmer(session, url, signer, probe) for _ in range(NEW_USERS)]
    query_ms, query_counts = _query_cost(runtime, buyers[1:])
    stored_s, stored_detail = _seconds([a for a, _ in appeared])
    listed_s, listed_detail = _seconds([b for _, b in appeared])
    section.figures += [
        Figure(
            f"score {SCORING_CANDIDATES:,} candidates for one buyer (median of {SCORING_RUNS})",
            median(scores_only),
            "ms",
            SCORING_TARGET_MS,
            f"min {min(scores_only):.0f} ms, max {max(scores_only):.0f} ms",
        ),
        Figure(f"the same and pick the top 50 (median of {SCORING_RUNS})", median(with_top), "ms"),
        Figure(
            f"rank {RANK_CANDIDATES:,} with parts and reasons (a request's path)",
            median(ranked),
            "ms",
            detail=f"median of {RANK_RUNS}",
        ),
        Figure(
            "recommendation request, first answer p50",
            median(answers.first) if answers.first else None,
            "ms",
            detail=answers.detail(answers.first),
        ),
        Figure(
            "recommendation request, first answer p95", p95(answers.first) if answers.first else None, "ms"
        ),
        Figure(
            "recommendation request, cached answer p50",
            median(answers.cached) if answers.cached else None,
            "ms",
            detail=f"N={len(answers.cached)}",
        ),
        Figure(
            "recommendation request, cached answer p95",
            p95(answers.cached) if answers.cached else None,
            "ms",
        ),
        Figure(
            "candidate query alone, in-process on moto",
            median(query_ms),
            "ms",
            detail=f"median of {len(query_ms)} buyers; {', '.join(map(str, query_counts))} candidates",
        ),
        Figure("new farmer: registered -> in the feature store", stored_s, "s", detail=stored_detail),
        Figure("new farmer: profile saved -> in a buyer's list", listed_s, "s", detail=listed_detail),
    ]
    section.notes += [
        f"{FEATURE_FARMERS:,} farmers ({items:,} items: feature records and their crop/district candidate "
        f"items, as MatchDal writes them) put in {load_s:.1f} s; each farmer grows 1-3 of "
        f"{len(_crops())} crops in one of {len(_districts())} districts",
        f"first answers: {len(answers.first)} buyers with 1-3 interests (each first answer queries "
        "the buyer's partitions, scores and caches the top 50); each then asked "
        f"{CACHED_RUNS} more times (the cache, checked against the partitions' generations); the "
        f"function's own time, first and cached answers together: p50 {median(in_function):.0f} ms"
        if in_function
        else "the function's own time was not recorded",
        "scoring uses pure Python (no numpy in the request functions' layer): the 100,000-candidate "
        "figure is the column-wise `scoring.fast_farmer_scores`; a request ranks its candidates with "
        "explanations (`scoring.rank_farmers`)",
        "new farmers: POST /auth/register (201) -> UserRegistered through the outbox relay, the bus, "
        "MatchFeaturesQueue and its consumer; then PUT /users/me (district, crops) -> ProfileUpdated "
        f"-> in a probe buyer's recommendations (polled every {POLL_S * 1000:.0f} ms). The issue asks "
        "for 'within seconds'",
    ]
    return section
