"""Forecasting: outlier handling and selection never look ahead; candidates behave."""

from __future__ import annotations

import numpy as np
import pytest

from soko.ml import forecasting as f


def test_a_single_bad_value_is_replaced_by_the_trailing_median() -> None:
    prices = np.array([1000.0] * 12 + [2.0] + [1010.0] * 3)  # Gulu's 2021-06 "2.0"
    cleaned = np.exp(f.clean(np.log(prices)))
    assert cleaned[12] == pytest.approx(1000.0)
    assert cleaned[13] == pytest.approx(1010.0)


def test_a_level_shift_is_kept_not_frozen() -> None:
    prices = np.array([1500.0] * 24 + [4000.0] * 24)
    cleaned = np.exp(f.clean(np.log(prices)))
    assert cleaned[-1] == pytest.approx(4000.0), "a lasting move is real, not an outlier"


def test_cleaning_never_looks_ahead() -> None:
    rng = np.random.default_rng(7)
    logs = np.log(1000 + np.cumsum(rng.normal(0, 40, 120)) + 500)
    logs[50] += 2.0
    full = f.clean(logs)
    for t in range(5, len(logs), 7):
        assert np.allclose(f.clean(logs[: t + 1]), full[: t + 1]), f"the value at {t} depends on later ones"


def test_backtest_fits_only_on_history_up_to_each_origin() -> None:
    prices = np.linspace(1000, 2000, 60)
    seen: list[int] = []

    def spy(history: np.ndarray) -> np.ndarray:
        seen.append(len(history))
        return f.naive(history)

    origins = list(range(30, 50))
    f.backtest(prices, spy, origins)
    assert seen == [t + 1 for t in origins]


def test_naive_and_ses_forecasts() -> None:
    history = np.log(np.array([100.0, 110.0, 121.0]))
    assert np.exp(f.naive(history)) == pytest.approx([121.0] * 3)
    level = np.exp(f.ses(0.5)(history))[0]
    assert 100 < level < 121


def test_selection_keeps_naive_on_a_steady_trend() -> None:
    trend = np.linspace(1000, 3000, 60)  # smoothing only lags behind a steady move
    assert f.select(trend, f.candidates()).method == "naive"


def test_selection_prefers_smoothing_on_noisy_mean_reverting_prices() -> None:
    rng = np.random.default_rng(3)
    noisy = 1000 * np.exp(rng.normal(0, 0.08, 80))  # white noise around a level: smoothing beats naive
    selection = f.select(noisy, f.candidates())
    assert selection.method != "naive"
    assert selection.inner[selection.method] < selection.inner["naive"]
    assert all(0 < width < 1 for width in selection.band)
