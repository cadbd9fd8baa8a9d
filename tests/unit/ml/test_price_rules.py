"""The seasonal fallback, the 3-sigma observation rule, weekly interpolation and market lookups."""

from __future__ import annotations

from datetime import date

import numpy as np

from soko.ml import fallback, markets, observations, trainer


def test_week_starts_are_the_coming_mondays() -> None:
    weeks = fallback.week_starts(date(2026, 11, 21), 3)  # a Saturday
    assert weeks == [date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)]
    assert all(w.weekday() == 0 for w in weeks)


def test_seasonal_fallback_applies_the_bimodal_factors() -> None:
    by_month = {p.week_start.month: p.price for p in fallback.seasonal(1000, date(2026, 5, 20), 12)}
    assert by_month[5] == 1000
    assert by_month[6] == 920  # harvest: x0.92
    july = fallback.seasonal(1000, date(2026, 12, 28), 8)
    assert {p.week_start.month: p.price for p in july}[1] == 1100  # lean months: x1.10
    assert all(p.lower < p.price < p.upper for p in july)


def test_three_sigma_rule() -> None:
    history = [1000.0, 1010.0, 990.0, 1005.0, 995.0, 1000.0]
    assert observations.judge(1015, history) == ("accepted", None)  # sd 6.5: within 3 sd of 1000
    status, reason = observations.judge(5000, history)
    assert status == "rejected" and reason and "sd" in reason
    assert observations.judge(5000, history[:3])[0] == "accepted", "too little history to judge"


def test_weekly_prices_follow_the_monthly_forecast() -> None:
    logs = np.log(np.array([1100.0, 1200.0, 1300.0]))
    weeks = trainer.weekly(
        date(2026, 10, 15), float(np.log(1000.0)), logs, [0.05, 0.08, 0.1], date(2026, 10, 20)
    )
    prices = [w.price for w in weeks]
    assert len(weeks) == trainer.WEEKS
    assert prices == sorted(prices), "a rising forecast rises week by week"
    assert 1000 < prices[0] < 1200 and 1250 <= prices[-1] <= 1300
    assert all(w.lower < w.price < w.upper for w in weeks)


def test_markets_accept_aliases_and_route_districts_to_the_nearest() -> None:
    assert markets.find("owino").id == "Kisenyi_Kampala"  # type: ignore[union-attr]
    assert markets.find("KAMPALA").id == "Kisenyi_Kampala"  # type: ignore[union-attr]
    assert markets.find("nowhere") is None
    assert markets.for_district("Wakiso").id == "Kisenyi_Kampala"
    assert markets.for_district("Omoro").id == "Gulu"
