"""Keeping prices current without hands: the scheduled WFP feed ingestion (soko.ml.jobs.ingest_wfp).

One run: download the feed conditionally (a 304 means nothing to do), parse it with the one WFP
parser (soko.ml.wfp), compare it with what the table holds per (market, crop), write only the new
or revised observations (conditional writes keyed by market, crop, date and price type: a second
run writes nothing), then for every pair that changed publish one ``PricesObserved`` with its
newest accepted price and start one training run for exactly those pairs.

The changed pairs are remembered (``FeedState.pending``) before they are announced, and the feed's
version only after: a run that fails between writing and announcing leaves them to the next run,
which announces and trains them even when the feed then answers 304.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from soko.ml import wfp
from soko.ml.events import PricesObserved
from soko.ml.models import FeedState, IngestionResult, Observation
from soko.ml.series import PRICETYPE_ORDER
from soko.providers.wfp import FeedDownload, FeedVersion
from soko.shared.events import EventDetail

FEED = "wfp"
type Pair = tuple[str, str]  # (market, crop)
type Key = tuple[str, str, str]  # an observation's identity within its pair: (date, source, price type)


class Feed(Protocol):
    """The WFP feed (soko.providers.wfp.WfpFeed; a fake in tests)."""

    def download(self, since: FeedVersion | None = None) -> FeedDownload | None: ...


class FeedStore(Protocol):
    """The ML table (soko.ml.dal.MlDal)."""

    def feed_state(self, feed: str) -> FeedState | None: ...
    def save_feed_state(self, feed: str, state: FeedState) -> None: ...
    def observations(self, market: str, crop: str) -> list[Observation]: ...
    def upsert_observation(self, observation: Observation) -> bool: ...
    def count_observation(self, market: str, crop: str, counter: str) -> None: ...


class TrainingStarter(Protocol):
    """The training state machine (soko.ml.dal.TrainingRuns)."""

    def start(self, name: str, pairs: list[Pair]) -> str: ...


def _key(o: Observation) -> Key:
    return (o.day.isoformat(), o.source, o.order_id or o.pricetype)


def by_pair(observations: Iterable[Observation]) -> dict[Pair, list[Observation]]:
    grouped: dict[Pair, list[Observation]] = defaultdict(list)
    for o in observations:
        grouped[(o.market, o.crop)].append(o)
    return dict(grouped)


def delta(incoming: Iterable[Observation], stored: Iterable[Observation]) -> list[Observation]:
    """The incoming observations the store does not hold as they are: new keys, or a revised price
    or status (WFP sometimes corrects a month)."""
    held = {_key(o): (o.price, o.status) for o in stored}
    return [o for o in incoming if held.get(_key(o)) != (o.price, o.status)]


def newest(observations: Iterable[Observation], source: str) -> Observation | None:
    """The newest accepted observation of ``source`` (on a tie, retail before wholesale)."""
    rank = {kind: n for n, kind in enumerate(PRICETYPE_ORDER)}
    accepted = [o for o in observations if o.source == source and o.status == "accepted"]
    return max(accepted, key=lambda o: (o.day, -rank.get(o.pricetype, len(rank))), default=None)


def announcement(observations: Iterable[Observation], source: str) -> PricesObserved | None:
    latest = newest(observations, source)
    if latest is None:
        return None
    return PricesObserved(
        market=latest.market,
        crop=latest.crop,
        source=source,
        day=latest.day,
        price_ugx=round(latest.price),
    )


def run_name(pairs: Sequence[Pair], now: datetime) -> str:
    """The training run's execution name: the same pairs on the same day are the same run."""
    digest = hashlib.sha256(repr(sorted(pairs)).encode()).hexdigest()[:16]
    return f"wfp-{now:%Y%m%d}-{digest}"


def ingest(
    feed: Feed,
    store: FeedStore,
    publish: Callable[[Sequence[EventDetail]], object],
    training: TrainingStarter,
    now: datetime,
) -> IngestionResult:
    state = store.feed_state(FEED) or FeedState()
    download = feed.download(FeedVersion(state.etag, state.last_modified))
    result = IngestionResult(not_modified=download is None)
    pending = set(state.pending)
    if download is not None:
        incoming = wfp.parse_text(download.text)
        result.observations = len(incoming)
        for pair, observations in sorted(by_pair(incoming).items()):
            stored = store.observations(*pair)
            held = {_key(o) for o in stored}
            for o in delta(observations, stored):
                if store.upsert_observation(o):
                    result.written += 1
                    pending.add(pair)
                    if _key(o) not in held:
                        store.count_observation(o.market, o.crop, "wfp_count")
        state = state.model_copy(update={"pending": sorted(pending)})
        store.save_feed_state(FEED, state)  # before announcing: a failure below is retried next run
    changed = sorted(pending)
    result.changed_pairs = changed
    if changed:
        events = [e for pair in changed if (e := announcement(store.observations(*pair), FEED))]
        publish(events)
        result.announced = len(events)
        result.training_run = training.start(run_name(changed, now), changed)
    version = download.version if download is not None else FeedVersion(state.etag, state.last_modified)
    store.save_feed_state(
        FEED,
        FeedState(
            etag=version.etag,
            last_modified=version.last_modified,
            checked_at=now.isoformat(timespec="seconds"),
            pending=[],
        ),
    )
    return result
