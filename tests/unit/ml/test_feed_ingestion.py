"""The scheduled WFP feed ingestion's rules on fakes (soko.ml.ingestion): what changed, idempotency,
announcing and training only the changed pairs, the 304 path, a failure between writing and
announcing; and the one WFP parser on HDX's layout (soko.ml.wfp)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from ml_fakes import FakeBus, FakeMlTable, FakeModels

from soko.ml import ingestion, trainer, wfp
from soko.ml.events import PricesObserved
from soko.ml.models import IngestionResult, Observation
from soko.providers.wfp import FeedDownload, FeedVersion

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
HEADER = (
    "date,admin1,admin2,market,market_id,latitude,longitude,category,commodity,commodity_id,"
    "unit,priceflag,pricetype,currency,price,usdprice\n"
    "#date,#adm1+name,#adm2+name,#loc+market+name,#loc+market+code,#geo+lat,#geo+lon,#item+type,"
    "#item+name,#item+code,#item+unit,#item+price+flag,#item+price+type,#currency+code,#value,#value+usd\n"
)


def row(day: str, market: str, commodity: str, price: str, *, unit: str = "KG", flag: str = "actual") -> str:
    return (
        f"{day},Northern,Gulu,{market},1,2.77,32.31,cereals and tubers,{commodity},1,{unit},{flag},"
        f"Retail,UGX,{price},0.5\n"
    )


def hdx(*rows: str) -> str:
    return HEADER + "".join(rows)


BASE = [
    row("2026-03-15", "Gulu", "Beans", "4900"),
    row("2026-04-15", "Gulu", "Beans", "4956"),
    row("2026-04-15", "Gulu", "Maize (white)", "1949"),
    row("2026-04-15", "Lira", "Sorghum", "2100"),
]


@dataclass
class FakeFeed:
    """The feed: answers 304 to the version it last served, else the current text."""

    text: str
    served: int = 0
    fail: bool = False

    @property
    def version(self) -> FeedVersion:
        return FeedVersion(f'"{hash(self.text)}"', "Wed, 02 Dec 2026 03:00:00 GMT")

    def download(self, since: FeedVersion | None = None) -> FeedDownload | None:
        if self.fail:
            raise RuntimeError("feed down")
        if since is not None and since.etag == self.version.etag:
            return None
        self.served += 1
        return FeedDownload(self.text, self.version)


@dataclass
class FakeTraining:
    runs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def start(self, name: str, pairs: list[tuple[str, str]]) -> str:
        self.runs.setdefault(name, list(pairs))
        return f"arn:execution:{name}"


@dataclass
class FailingBus:
    def publish(self, events: object) -> None:
        raise RuntimeError("bus down")


def run(feed: FakeFeed, table: FakeMlTable, bus: FakeBus, training: FakeTraining) -> IngestionResult:
    return ingestion.ingest(feed, table, bus.publish, training, NOW)


# ---------------------------------------------------------------- the parser
def test_hdx_layout_is_parsed_with_its_tag_row_units_and_flags() -> None:
    text = hdx(
        row("2026-04-15", "Gulu", "Beans", "4956"),
        row("2026-04-15", "Gulu", "Sorghum", "212700", unit="100 KG"),  # per 100 kg -> per kg
        row("2026-04-15", "Lira", "Beans", "5000", flag="forecast"),  # not an actual price
        row("2026-04-15", "Lira", "Sorghum", "3000", unit="L"),  # not a weight
        row("2026-04-15", "Lira", "Millet", "0"),  # no price
        row("2026-04-15", "Nowhere", "Beans", "4000"),  # a market Soko does not know
        row("2026-04-15", "Gulu", "Coffee", "9000"),  # a commodity Soko does not forecast
    )
    parsed = wfp.parse_text(text)
    assert [(o.market, o.crop, o.day, o.price, o.pricetype) for o in parsed] == [
        ("Gulu", "sorghum", date(2026, 4, 15), Decimal("2127"), "retail"),
        ("Gulu", "yellow_beans", date(2026, 4, 15), Decimal("4956"), "retail"),
    ]


def test_white_maize_wins_its_month_and_plain_maize_only_fills_earlier_months() -> None:
    parsed = wfp.parse_text(
        hdx(
            row("2026-02-15", "Gulu", "Maize", "1500"),
            row("2026-03-15", "Gulu", "Maize", "1600"),
            row("2026-03-15", "Gulu", "Maize (white)", "1900"),
            row("2026-04-15", "Gulu", "Maize", "1700"),
            row("2026-04-15", "Gulu", "Maize (white)", "1949"),
        )
    )
    assert [(o.day.month, int(o.price)) for o in parsed] == [(2, 1500), (3, 1900), (4, 1949)]


# ---------------------------------------------------------------- changed pairs
def observation(day: str, price: int, market: str = "Gulu", crop: str = "yellow_beans") -> Observation:
    return Observation(
        market=market,
        crop=crop,
        day=date.fromisoformat(day),
        price=Decimal(price),
        source="wfp",
        pricetype="retail",
    )


def test_delta_is_the_new_and_the_revised_observations_only() -> None:
    stored = [observation("2026-03-15", 4900), observation("2026-04-15", 4956)]
    incoming = [
        observation("2026-03-15", 4900),  # the same
        observation("2026-04-15", 4990),  # revised
        observation("2026-05-15", 5010),  # new
    ]
    assert [(o.day.month, int(o.price)) for o in ingestion.delta(incoming, stored)] == [(4, 4990), (5, 5010)]
    assert ingestion.delta(stored, stored) == []


def test_the_newest_accepted_price_prefers_retail_on_a_tie() -> None:
    wholesale = observation("2026-05-15", 4000).model_copy(update={"pricetype": "wholesale"})
    rejected = observation("2026-06-15", 9999).model_copy(update={"status": "rejected"})
    order = observation("2026-07-15", 5100).model_copy(update={"source": "order", "pricetype": "trade"})
    found = ingestion.newest([observation("2026-05-15", 5000), wholesale, rejected, order], "wfp")
    assert found is not None and (int(found.price), found.pricetype) == (5000, "retail")
    assert ingestion.newest([order], "wfp") is None


# ---------------------------------------------------------------- a run
def test_first_run_loads_announces_and_trains_every_pair_and_a_second_changes_nothing() -> None:
    feed, table, bus, training = FakeFeed(hdx(*BASE)), FakeMlTable(), FakeBus(), FakeTraining()
    first = run(feed, table, bus, training)

    assert (first.not_modified, first.observations, first.written) == (False, 4, 4)
    pairs = [("Gulu", "maize_grain"), ("Gulu", "yellow_beans"), ("Lira", "sorghum")]
    assert first.changed_pairs == pairs
    assert list(training.runs.values()) == [pairs]
    assert [(e.market, e.crop, e.day, e.price_ugx, e.source) for e in bus.events] == [  # type: ignore[attr-defined]
        ("Gulu", "maize_grain", date(2026, 4, 15), 1949, "wfp"),
        ("Gulu", "yellow_beans", date(2026, 4, 15), 4956, "wfp"),
        ("Lira", "sorghum", date(2026, 4, 15), 2100, "wfp"),
    ]
    assert table.counts[("Gulu", "yellow_beans")] == {"wfp_count": 2}

    # unchanged feed: a 304, nothing read, written, announced or trained
    second = run(feed, table, bus, training)
    assert second.not_modified and second.changed_pairs == [] and second.training_run is None
    assert (feed.served, table.writes, len(bus.events), len(training.runs)) == (1, 4, 3, 1)

    # the same file without its version (a feed that sends no ETag): read again, nothing written
    table.feeds.clear()
    third = run(feed, table, bus, training)
    assert (third.not_modified, third.written, third.changed_pairs) == (False, 0, [])
    assert (table.writes, len(bus.events), len(training.runs)) == (4, 3, 1)
    assert table.counts[("Gulu", "yellow_beans")] == {"wfp_count": 2}


def test_a_new_month_changes_only_its_pairs() -> None:
    feed, table, bus, training = FakeFeed(hdx(*BASE)), FakeMlTable(), FakeBus(), FakeTraining()
    run(feed, table, bus, training)
    bus.events.clear()
    training.runs.clear()

    feed.text = hdx(*BASE, row("2026-05-15", "Gulu", "Beans", "5010"))
    result = run(feed, table, bus, training)

    assert (result.written, result.changed_pairs) == (1, [("Gulu", "yellow_beans")])
    assert list(training.runs.values()) == [[("Gulu", "yellow_beans")]]  # maize and Lira not retrained
    [event] = bus.events
    assert isinstance(event, PricesObserved)
    assert (event.market, event.crop, event.day, event.price_ugx) == (
        "Gulu",
        "yellow_beans",
        date(2026, 5, 15),
        5010,
    )
    assert table.counts[("Gulu", "yellow_beans")] == {"wfp_count": 3}


def test_a_revised_price_is_written_announced_and_not_counted_twice() -> None:
    feed, table, bus, training = FakeFeed(hdx(*BASE)), FakeMlTable(), FakeBus(), FakeTraining()
    run(feed, table, bus, training)
    feed.text = hdx(*BASE[:3], row("2026-04-15", "Lira", "Sorghum", "2150"))
    result = run(feed, table, bus, training)
    assert result.changed_pairs == [("Lira", "sorghum")]
    assert table.observations("Lira", "sorghum")[0].price == 2150
    assert table.counts[("Lira", "sorghum")] == {"wfp_count": 1}


def test_pairs_written_before_a_failed_announcement_are_announced_next_run() -> None:
    feed, table, training = FakeFeed(hdx(*BASE)), FakeMlTable(), FakeTraining()
    with pytest.raises(RuntimeError):
        ingestion.ingest(feed, table, FailingBus().publish, training, NOW)
    assert table.writes == 4 and training.runs == {}
    assert len(table.feeds["wfp"].pending) == 3 and table.feeds["wfp"].etag is None

    bus = FakeBus()
    retry = run(feed, table, bus, training)  # the file is read again (no version kept): nothing new
    assert retry.written == 0 and len(retry.changed_pairs) == 3
    assert len(bus.events) == 3 and len(training.runs) == 1
    assert table.feeds["wfp"].pending == [] and table.feeds["wfp"].etag == feed.version.etag


def test_a_failing_feed_writes_nothing() -> None:
    feed, table, bus, training = FakeFeed(hdx(*BASE), fail=True), FakeMlTable(), FakeBus(), FakeTraining()
    with pytest.raises(RuntimeError):
        run(feed, table, bus, training)
    assert (table.writes, bus.events, training.runs, table.feeds) == (0, [], {}, {})


def test_the_training_run_is_named_by_its_pairs_and_day() -> None:
    a = ingestion.run_name([("Gulu", "maize_grain"), ("Lira", "sorghum")], NOW)
    assert a == ingestion.run_name([("Lira", "sorghum"), ("Gulu", "maize_grain")], NOW)
    assert a != ingestion.run_name([("Gulu", "maize_grain")], NOW)
    assert a.startswith("wfp-20261202-") and len(a) <= 80


# ---------------------------------------------------------------- the training run's pairs
def test_requested_pairs_are_read_strictly() -> None:
    assert trainer.requested_pairs({}) is None  # the weekly schedule: every pair
    assert trainer.requested_pairs({"pairs": [{"market": "Gulu", "crop": "sorghum"}]}) == [
        ("Gulu", "sorghum")
    ]
    for bad in ("Gulu", [{"market": "Gulu"}], [["Gulu", "sorghum"]]):
        with pytest.raises(ValueError, match="pairs"):
            trainer.requested_pairs({"pairs": bad})


def test_a_run_for_some_pairs_lists_only_those_that_are_trainable() -> None:
    table = FakeMlTable()
    for market, crop in (("Gulu", "sorghum"), ("Lira", "sorghum"), ("Gulu", "yellow_beans")):
        table.load(
            [observation(f"20{20 + m // 12}-{m % 12 + 1:02d}-15", 2000 + m, market, crop) for m in range(30)]
        )
    every = trainer.list_pairs(table, FakeModels())["pairs"]
    some = trainer.list_pairs(table, FakeModels(), only=[("Lira", "sorghum"), ("Kabale", "millet")])["pairs"]
    assert len(every) == 3  # type: ignore[arg-type]
    assert [(p["market"], p["crop"]) for p in some] == [("Lira", "sorghum")]  # type: ignore[attr-defined]
