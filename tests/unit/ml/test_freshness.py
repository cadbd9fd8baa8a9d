"""How old a price is (soko.ml.freshness): the age to today in East Africa Time, the stale
threshold, and the age in a few words in English and Luganda for USSD and SMS."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from ml_fakes import FakeMlTable

from soko.ml import logic, public
from soko.ml.freshness import FreshnessConfig, age_text, day_text, freshness, today
from soko.ml.models import Observation, PredictRequest, StoredForecast, WeeklyPrice
from soko.shared import clock
from soko.shared.config import ConfigError


def test_age_and_the_threshold() -> None:
    on = date(2026, 12, 2)
    assert freshness(date(2025, 4, 15), on) == public.Freshness(
        data_through=date(2025, 4, 15), age_days=596, stale=True
    )
    assert freshness(date(2026, 10, 3), on).model_dump() == {
        "data_through": date(2026, 10, 3),
        "age_days": 60,
        "stale": False,  # 60 days is the last current day; the 61st is stale
    }
    assert freshness(date(2026, 10, 2), on).stale
    assert freshness(date(2026, 10, 2), on, stale_after_days=90).stale is False
    assert freshness(date(2026, 12, 5), on).age_days == 0, "a date after today is not negative"
    assert freshness(None, on) == public.Freshness(data_through=None, age_days=None, stale=True)


def test_today_is_east_africa_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 1, 21, 30, tzinfo=UTC))
    assert today() == date(2026, 12, 2), "21:30 UTC is already 00:30 the next day in Kampala"
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 1, 20, 59, tzinfo=UTC))
    assert today() == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("days", "en", "lg"),
    [
        (0, "from today", "ya leero"),
        (1, "1 day old", "olunaku 1 emabega"),
        (13, "13 days old", "ennaku 13 emabega"),
        (14, "2 weeks old", "wiiki 2 emabega"),
        (59, "8 weeks old", "wiiki 8 emabega"),
        (60, "2 months old", "emyezi 2 emabega"),
        (596, "20 months old", "emyezi 20 emabega"),
        (715, "23 months old", "emyezi 23 emabega"),
        (731, "2 years old", "emyaka 2 emabega"),
        (3653, "10 years old", "emyaka 10 emabega"),
    ],
)
def test_age_text_in_both_languages(days: int, en: str, lg: str) -> None:
    fresh = public.Freshness(data_through=date(2020, 1, 1), age_days=days, stale=days > 60)
    assert public.age_text(fresh, "en") == en
    assert public.age_text(fresh, "lg") == lg
    assert len(en) <= 20 and len(lg) <= 20 and en.isascii() and lg.isascii()  # SMS: 160, one part


def test_age_text_without_data_and_day_text() -> None:
    unknown = freshness(None, date(2026, 12, 2))
    assert age_text(unknown, "en") == "no prices yet"
    assert age_text(unknown, "lg") == "tewali bbeeyi"
    assert day_text(date(2025, 4, 5)) == "5 Apr 2025"


def test_the_threshold_is_required_and_bounded() -> None:
    assert FreshnessConfig.from_env({"PRICE_STALE_AFTER_DAYS": "60"}).price_stale_after_days == 60
    for bad in ({}, {"PRICE_STALE_AFTER_DAYS": "0"}, {"PRICE_STALE_AFTER_DAYS": "ten"}):
        with pytest.raises(ConfigError, match="PRICE_STALE_AFTER_DAYS"):
            FreshnessConfig.from_env(bad)


# ---------------------------------------------------------------- a served forecast's age
def _stored(through: date) -> StoredForecast:
    mondays = [date(2026, 11, 23) + timedelta(weeks=k) for k in range(8)]
    return StoredForecast(
        predictions=[WeeklyPrice(week_start=d, price=1000, lower=900, upper=1100) for d in mondays],
        model_version="v1",
        trained_at="2026-11-16T02:00:00Z",
        data_through=through,
    )


def _observed(day: date, price: int) -> Observation:
    return Observation(
        market="Gulu", crop="maize_grain", day=day, price=Decimal(price), source="wfp", pricetype="retail"
    )


def test_a_forecast_says_its_age_and_the_age_is_counted_on_every_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    table = FakeMlTable()
    table.forecasts[("Gulu", "maize_grain")] = _stored(date(2026, 9, 19))
    table.load([_observed(date(2026, 9, 19), 1010)])
    deps = logic.Prices(dal=table, stale_after_days=60)
    request = PredictRequest(market="Gulu", crop="maize", weeks_ahead=4)

    current = logic.predict(request, deps)
    assert (current.data_through, current.data_age_days, current.stale) == (date(2026, 9, 19), 60, False)
    assert current.stale_reason is None and current.stale_after_days == 60
    assert (current.last_price, current.last_price_day) == (1010, date(2026, 9, 19))

    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 18, 21, 30, tzinfo=UTC))  # 19 Nov in EAT
    table.forecasts.clear()  # served from the answer cache now: the age is still today's
    later = logic.predict(request, deps)
    assert (later.data_age_days, later.stale) == (61, True)
    assert later.stale_reason == (
        "The newest price is from 19 Sep 2026, 61 days ago; after 60 days a forecast is not current."
    )
    assert later.predictions == current.predictions, "marked, not withheld: clients keep working"


def test_the_fallback_from_an_old_price_is_stale() -> None:
    table = FakeMlTable()
    table.load([_observed(date(2025, 4, 15), 1925)])
    forecast = logic.dated(
        logic.predict(PredictRequest(market="Gulu", crop="maize"), logic.Prices(dal=table)),
        60,
        on=date(2026, 12, 2),
    )
    assert forecast.source == "seasonal_fallback" and forecast.stale and forecast.data_age_days == 596
    assert (forecast.last_price, forecast.last_price_day) == (1925, date(2025, 4, 15))
