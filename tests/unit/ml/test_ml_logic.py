"""The price layer's rules on in-memory fakes of its ports: observations from completed orders,
serving a forecast (model, cache, fallback), the async answer, and training's list -> train ->
publish path (on a small synthetic panel, without Prophet)."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from ml_fakes import FakeBus, FakeMlTable, FakeModels

from soko.market.events import OrderCompleted
from soko.ml import logic, observations, trainer
from soko.ml.events import ModelTrained, PriceForecastRequested, PricesObserved
from soko.ml.models import Observation, PredictRequest, StoredForecast, WeeklyPrice
from soko.shared import clock

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def order(price: int, order_id: str = "o1", crop: str = "maize", district: str = "Gulu") -> OrderCompleted:
    return OrderCompleted(
        order_id=order_id,
        listing_id="l1",
        buyer_id="b1",
        farmer_id="f1",
        crop=crop,
        district=district,
        quantity_kg=Decimal("10.000"),
        price_per_kg_ugx=price,
        total_ugx=10 * price,
        completed_at="2026-11-17T08:00:00Z",
    )


# ---------------------------------------------------------------- observations from orders
def test_an_order_becomes_an_accepted_observation_counted_once() -> None:
    table, bus = FakeMlTable(), FakeBus()
    assert observations.record(order(1100), table, bus.publish) == "accepted"
    assert observations.record(order(1100), table, bus.publish) == "accepted"  # redelivered: nothing new

    [stored] = table.observations("Gulu", "maize_grain")
    assert (stored.source, stored.pricetype, stored.order_id, stored.day) == (
        "order",
        "trade",
        "o1",
        date(2026, 11, 17),
    )
    assert table.counts[("Gulu", "maize_grain")] == {"order_count": 1}
    # announced each time it is accepted (a redelivery re-announces: a lost publish is not lost)
    assert [(e.market, e.crop, e.source, e.day, e.price_ugx) for e in bus.events] == [  # type: ignore[attr-defined]
        ("Gulu", "maize_grain", "order", date(2026, 11, 17), 1100)
    ] * 2
    assert all(isinstance(e, PricesObserved) for e in bus.events)


def test_an_outlier_is_kept_rejected_and_not_counted() -> None:
    table, bus = FakeMlTable(), FakeBus()
    for n, price in enumerate((1000, 1010, 990, 1005, 995)):
        observations.record(order(price, f"o{n}"), table, bus.publish)
    assert observations.record(order(4000, "high"), table, bus.publish) == "rejected"
    assert [e.price_ugx for e in bus.events] == [1000, 1010, 990, 1005, 995]  # type: ignore[attr-defined]  # not the outlier
    rejected = next(o for o in table.observations("Gulu", "maize_grain") if o.order_id == "high")
    assert rejected.status == "rejected" and rejected.reason and "sd" in rejected.reason
    assert table.counts[("Gulu", "maize_grain")] == {"order_count": 5}
    assert all(o.order_id != "high" for o in table.recent_accepted("Gulu", "maize_grain", 30))


def test_a_crop_without_forecasts_is_not_observed() -> None:
    table, bus = FakeMlTable(), FakeBus()
    assert observations.record(order(1100, crop="coffee"), table, bus.publish) is None
    assert bus.events == []
    assert table.observations_by_pair == {}


# ---------------------------------------------------------------- serving
def _week(start: date, price: int) -> WeeklyPrice:
    return WeeklyPrice(week_start=start, price=price, lower=price - 50, upper=price + 50)


def test_a_model_forecast_is_served_then_cached() -> None:
    table = FakeMlTable()
    mondays = [date(2026, 11, 16) + timedelta(weeks=k) for k in range(6)]  # the first is past
    table.forecasts[("Gulu", "maize_grain")] = StoredForecast(
        predictions=[_week(d, 1000 + k) for k, d in enumerate(mondays)],
        model_version="v1",
        trained_at="2026-11-16T02:00:00Z",
        data_through=date(2026, 10, 15),
    )
    deps = logic.Prices(dal=table)
    forecast = logic.predict(PredictRequest(market="gulu", crop="maize", weeks_ahead=4), deps)

    assert forecast.source == "model" and forecast.model_version == "v1"
    assert [p.week_start for p in forecast.predictions] == mondays[1:5]
    table.forecasts.clear()  # the cached answer is what is served now
    again = logic.predict(PredictRequest(market="Gulu", crop="maize_grain", weeks_ahead=4), deps)
    assert again == forecast


def test_a_stale_model_falls_back_to_the_seasonal_heuristic() -> None:
    table = FakeMlTable()
    table.forecasts[("Gulu", "maize_grain")] = StoredForecast(
        predictions=[_week(date(2026, 11, 23), 1000)], model_version="old"
    )
    table.load(
        [
            Observation(
                market="Gulu",
                crop="maize_grain",
                day=date(2026, 11, 2),
                price=Decimal(1000),
                source="wfp",
                pricetype="retail",
            )
        ]
    )
    forecast = logic.predict(
        PredictRequest(market="Gulu", crop="maize", weeks_ahead=4), logic.Prices(dal=table)
    )
    assert forecast.source == "seasonal_fallback" and forecast.data_through == date(2026, 11, 2)
    assert [p.price for p in forecast.predictions] == [920] * 4  # harvest months: x0.92
    assert forecast.predictions[0].week_start == date(2026, 11, 23)


def test_no_prices_at_all_is_a_404_and_the_async_path_answers_it() -> None:
    deps = logic.Prices(dal=FakeMlTable())
    with pytest.raises(logic.NoPriceData):
        logic.predict(PredictRequest(market="Gulu", crop="maize"), deps)
    ready = logic.answer(PriceForecastRequested(request_id="r1", market="Gulu", crop="maize"), deps)
    assert (ready.request_id, ready.ok, ready.forecast) == ("r1", False, None)
    assert ready.error and ready.error["code"] == "NO_PRICE_DATA"
    unknown = logic.answer(PriceForecastRequested(request_id="r2", market="Atlantis", crop="maize"), deps)
    assert unknown.error and unknown.error["code"] == "UNKNOWN_MARKET"


# ---------------------------------------------------------------- training
def _monthly(market: str, crop: str, months: int, base: float) -> list[Observation]:
    start = date(2023, 1, 15)
    return [
        Observation(
            market=market,
            crop=crop,
            day=date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 15),
            price=Decimal(round(base * (1 + 0.1 * math.sin(k / 2)))),
            source="wfp",
            pricetype="retail",
        )
        for k in range(months)
    ]


def test_training_lists_pairs_on_a_snapshot_trains_one_and_publishes_it() -> None:
    table, models, bus = FakeMlTable(), FakeModels(), FakeBus()
    table.load(_monthly("Gulu", "sorghum", 30, 900))
    table.load(_monthly("Lira", "sorghum", 12, 950))  # too short to train
    table.answers[("Gulu", "sorghum", 4)] = ("{}", 10**10)
    deps = trainer.Training(table=table, models=models, publish=bus.publish, prophet=False)

    listing = trainer.list_pairs(table, models)
    assert listing["pairs"] == [{"market": "Gulu", "crop": "sorghum", "snapshot": listing["snapshot"]}]
    assert {k.market for k in models.snapshot(str(listing["snapshot"]))} == {"Gulu", "Lira"}

    result = trainer.train(deps, "Gulu", "sorghum", str(listing["snapshot"]))

    [document] = models.models
    assert result["model_version"] == document.model_version and result["method"] == document.method
    assert document.data_through == "2025-06-15" and document.series == "retail"
    assert len(document.predictions) == trainer.WEEKS
    assert table.forecasts[("Gulu", "sorghum")].model_version == document.model_version
    assert ("Gulu", "sorghum", 4) not in table.answers, "a new model drops the cached answers"
    [event] = bus.events
    assert isinstance(event, ModelTrained) and event.model_version == document.model_version


def test_a_pair_without_enough_months_is_refused() -> None:
    table = FakeMlTable()
    table.load(_monthly("Lira", "sorghum", 12, 950))
    deps = trainer.Training(table=table, models=FakeModels(), publish=FakeBus().publish, prophet=False)
    with pytest.raises(trainer.NotEnoughData, match="12 months"):
        trainer.train(deps, "Lira", "sorghum", None)


# ---------------------------------------------------------------- the request path stays small
def test_serving_and_the_public_interface_import_no_numpy() -> None:
    probe = (
        "import sys; import soko.ml.api.predict, soko.ml.consumers, soko.ml.public; "
        "print(sorted(m for m in ('numpy', 'pandas', 'prophet') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "functions" / "app"), "PATH": ""},
    )
    assert result.stdout.strip() == "[]"
