"""Monthly price forecasting: candidates, no-look-ahead outlier handling, and selection by an
inner rolling backtest. Training only (numpy; Prophet is imported only by its candidate).

Every function that fits or selects sees only the history it is given: callers pass the series up
to the forecast origin and nothing after it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

HORIZONS = (1, 2, 3)
INNER_ORIGINS = 12  # months of inner backtest used to choose a pair's method
MIN_HISTORY = 24  # months before a pair is trainable
SES_ALPHAS = (0.3, 0.5, 0.7)
OUTLIER_WINDOW = 12
OUTLIER_MADS = 5.0

type Forecaster = Callable[[np.ndarray], np.ndarray]  # log history -> log forecasts for HORIZONS


def clean(log_prices: np.ndarray) -> np.ndarray:
    """Replace a value far from the trailing median (by MADs of the trailing window) with that
    median. Each point is judged only against the points before it: no look-ahead."""
    raw = log_prices.astype(float)
    out = raw.copy()
    for i in range(3, len(out)):
        # Against the raw trailing window: judged against cleaned values, a genuine level shift
        # would be "corrected" forever. The median shrugs off an occasional outlier in the window.
        window = raw[max(0, i - OUTLIER_WINDOW) : i]
        median = float(np.median(window))
        mad = float(np.median(np.abs(window - median))) or 0.02
        if abs(out[i] - median) > OUTLIER_MADS * 1.4826 * mad:
            out[i] = median
    return out


def naive(history: np.ndarray) -> np.ndarray:
    return np.repeat(history[-1], len(HORIZONS))


def ses(alpha: float) -> Forecaster:
    def forecast(history: np.ndarray) -> np.ndarray:
        level = history[0]
        for value in history[1:]:
            level = alpha * value + (1 - alpha) * level
        return np.repeat(level, len(HORIZONS))

    return forecast


def blend(first: Forecaster, second: Forecaster, weight: float = 0.5) -> Forecaster:
    def forecast(history: np.ndarray) -> np.ndarray:
        return np.asarray(weight * first(history) + (1 - weight) * second(history))

    return forecast


def seasonal_naive(history: np.ndarray) -> np.ndarray:
    return np.array([history[-12 + h - 1] if len(history) >= 12 else history[-1] for h in HORIZONS])


def prophet(history: np.ndarray) -> np.ndarray:
    """Prophet on log prices (kept as a candidate; see the README's backtest results)."""
    import logging  # noqa: PLC0415

    import pandas as pd  # noqa: PLC0415
    from prophet import Prophet  # noqa: PLC0415

    logging.getLogger("cmdstanpy").setLevel(logging.ERROR)
    frame = pd.DataFrame(
        {"ds": pd.date_range(end="2026-01-15", periods=len(history), freq="MS"), "y": history}
    )
    model = Prophet(yearly_seasonality=len(history) >= 24, weekly_seasonality=False, daily_seasonality=False)
    model.fit(frame)
    future = model.make_future_dataframe(periods=len(HORIZONS), freq="MS")
    return np.asarray(model.predict(future)["yhat"].to_numpy()[-len(HORIZONS) :])


def candidates(include_prophet: bool = False) -> dict[str, Forecaster]:
    found: dict[str, Forecaster] = {"naive": naive}
    for alpha in SES_ALPHAS:
        found[f"ses_{alpha}"] = ses(alpha)
        found[f"naive_ses_{alpha}"] = blend(naive, ses(alpha))
    if include_prophet:
        found["prophet"] = prophet
    return found


def ape(forecast_log: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Absolute percentage errors of price forecasts (given in logs) against actual prices."""
    return np.asarray(np.abs(np.exp(forecast_log) - actual) / actual)


@dataclass
class Backtest:
    errors: dict[int, list[float]]  # horizon -> absolute percentage errors

    def mape(self, horizon: int | None = None) -> float:
        if horizon is not None:
            return float(np.mean(self.errors[horizon])) if self.errors[horizon] else math.nan
        per_horizon = [self.mape(h) for h in HORIZONS if self.errors[h]]
        return float(np.mean(per_horizon)) if per_horizon else math.nan


def backtest(prices: np.ndarray, forecaster: Forecaster, origins: Sequence[int]) -> Backtest:
    """Rolling origins: at origin t, fit on prices[: t + 1] only and score t + h."""
    errors: dict[int, list[float]] = {h: [] for h in HORIZONS}
    for t in origins:
        history = clean(np.log(prices[: t + 1]))
        forecast = forecaster(history)
        for index, h in enumerate(HORIZONS):
            if t + h < len(prices):
                errors[h].extend(ape(forecast[index : index + 1], prices[t + h : t + h + 1]).tolist())
    return Backtest(errors)


@dataclass
class Selection:
    method: str
    inner: dict[str, float]  # candidate -> inner-backtest MAPE (averaged over the horizons)
    band: list[float]  # relative half-width of the 80% band per horizon, from inner errors


def select(prices: np.ndarray, pool: dict[str, Forecaster]) -> Selection:
    """Choose the candidate with the lowest MAPE on the last INNER_ORIGINS origins of ``prices``
    (which must end at the forecast origin). Ties and near-ties go to naive: it must earn a switch."""
    last = len(prices) - 1
    origins = [t for t in range(last - INNER_ORIGINS - max(HORIZONS), last - max(HORIZONS) + 1) if t >= 12]
    results = {name: backtest(prices, forecaster, origins) for name, forecaster in pool.items()}
    scores = {name: result.mape() for name, result in results.items()}
    best = min(scores, key=lambda name: scores[name])
    if scores["naive"] <= scores[best] * 1.01:
        best = "naive"
    chosen = results[best]
    band = [float(np.quantile(chosen.errors[h], 0.8)) if chosen.errors[h] else 0.15 for h in HORIZONS]
    return Selection(method=best, inner=scores, band=band)
