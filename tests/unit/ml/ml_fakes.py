"""In-memory stand-ins for the price layer's ports (soko.ml.logic, soko.ml.observations,
soko.ml.trainer): the rules run without moto."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from soko.ml.models import FeedState, ModelDocument, Observation, PairCoverage, StoredForecast
from soko.ml.series import Panel
from soko.shared.events import EventDetail


@dataclass
class FakeMlTable:
    """The ML table: observations, coverage, forecasts and the answer cache."""

    observations_by_pair: dict[tuple[str, str], dict[str, Observation]] = field(default_factory=dict)
    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    forecasts: dict[tuple[str, str], StoredForecast] = field(default_factory=dict)
    answers: dict[tuple[str, str, int], tuple[str, int]] = field(default_factory=dict)
    dropped: list[tuple[str, str]] = field(default_factory=list)

    @staticmethod
    def _key(o: Observation) -> str:
        return f"{o.day.isoformat()}#{o.source}#{o.order_id or o.pricetype}"

    def load(self, observations: Sequence[Observation], counter: str = "wfp_count") -> None:
        for o in observations:
            self.observations_by_pair.setdefault((o.market, o.crop), {})[self._key(o)] = o
            counts = self.counts.setdefault((o.market, o.crop), {})
            counts[counter] = counts.get(counter, 0) + 1

    # ObservationStore
    def recent_accepted(self, market: str, crop: str, limit: int) -> list[Observation]:
        found = self.observations_by_pair.get((market, crop), {})
        newest = [found[k] for k in sorted(found, reverse=True) if found[k].status == "accepted"]
        return newest[:limit]

    def add_observation(self, observation: Observation) -> bool:
        pair = self.observations_by_pair.setdefault((observation.market, observation.crop), {})
        if self._key(observation) in pair:
            return False
        pair[self._key(observation)] = observation
        return True

    def count_observation(self, market: str, crop: str, counter: str) -> None:
        counts = self.counts.setdefault((market, crop), {})
        counts[counter] = counts.get(counter, 0) + 1

    # FeedStore
    feeds: dict[str, FeedState] = field(default_factory=dict)
    writes: int = 0

    def upsert_observation(self, observation: Observation) -> bool:
        pair = self.observations_by_pair.setdefault((observation.market, observation.crop), {})
        held = pair.get(self._key(observation))
        if held is not None and (held.price, held.status) == (observation.price, observation.status):
            return False
        pair[self._key(observation)] = observation
        self.writes += 1
        return True

    def feed_state(self, feed: str) -> FeedState | None:
        return self.feeds.get(feed)

    def save_feed_state(self, feed: str, state: FeedState) -> None:
        self.feeds[feed] = state

    # ForecastStore
    def latest_observation(self, market: str, crop: str) -> Observation | None:
        found = self.recent_accepted(market, crop, 1)
        return found[0] if found else None

    def forecast(self, market: str, crop: str) -> StoredForecast | None:
        return self.forecasts.get((market, crop))

    def cached(self, market: str, crop: str, weeks: int, now: int) -> str | None:
        answer, until = self.answers.get((market, crop, weeks), ("", 0))
        return answer if until > now else None

    def cache(self, market: str, crop: str, weeks: int, answer: str, valid_until: int) -> None:
        self.answers[(market, crop, weeks)] = (answer, valid_until)

    # SeriesSource, ForecastSink
    def coverage(self) -> list[PairCoverage]:
        return [PairCoverage(market=m, crop=c, **counts) for (m, c), counts in self.counts.items()]

    def observations(self, market: str, crop: str) -> list[Observation]:
        found = self.observations_by_pair.get((market, crop), {})
        return [found[k] for k in sorted(found)]

    def put_forecast(self, document: ModelDocument) -> None:
        self.forecasts[(document.market, document.crop)] = StoredForecast.model_validate(
            document.model_dump()
        )

    def drop_cache(self, market: str, crop: str) -> int:
        self.dropped.append((market, crop))
        gone = [k for k in self.answers if k[:2] == (market, crop)]
        for k in gone:
            del self.answers[k]
        return len(gone)


@dataclass
class FakeModels:
    """The models bucket."""

    snapshots: dict[str, Panel] = field(default_factory=dict)
    models: list[ModelDocument] = field(default_factory=list)

    def put_snapshot(self, panel: Panel) -> str:
        key = f"snapshots/{len(self.snapshots)}.json"
        self.snapshots[key] = panel
        return key

    def snapshot(self, key: str) -> Panel:
        return self.snapshots[key]

    def put_model(self, document: ModelDocument) -> None:
        self.models.append(document)


@dataclass
class FakeBus:
    events: list[EventDetail] = field(default_factory=list)

    def publish(self, events: Sequence[EventDetail]) -> None:
        self.events.extend(events)
