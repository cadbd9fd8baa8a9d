"""Monthly price forecasting on a panel of series (training only: numpy; Prophet only in its candidate).

The method (researched in ``docs/research/REPORT.md``; ``make backtest`` measures it on the real WFP
series). Everything used at a forecast origin T comes from months <= T:

1. **Cleaning.** In log price, a value is replaced (for modelling only) by the median of the previous
   12 raw observations when it is further from it than max(log 3, 5 robust SDs of that window).
2. **POOL**, a pooled ridge regression per horizon h, refitted at every origin T on every series of the
   pool (real retail/wholesale series of the seed markets): rows (series, month s) with s + h <= T,
   target the cleaned log change s -> s+h (clipped to +-0.5), features computed from data <= s (recent
   changes, the price relative to peer markets and to its own 36-month mean, the peers' and Kampala's
   latest moves, crop x month harmonics, northern-market harmonics, the series' own seasonal change).
3. **SEAS**, the cleaned last value moved by the series' own month factors (halved; >= 4 years needed).
4. **ENS** = mean of POOL and SEAS in log space: what is served, unless
5. a candidate (naive, SES, SEAS, POOL, Prophet) had an inner-backtest MAPE at least 30% lower than
   ENS over the 36 origins before T, on at least 60 scored points: then that candidate is served.
   In practice this moves sticky-price series to naive.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np

from soko.ml.series import SeriesKey

HORIZONS = (1, 2, 3)  # scored horizons (months)
MIN_HISTORY = 24  # observed months before a pair is trainable
MIN_MODEL_HISTORY = 12  # months since a series' first observation before a model runs (else naive)
INNER_WINDOW = 36  # inner-backtest origins (months before T) for the guarded override
OVERRIDE_MARGIN = 0.30
OVERRIDE_MIN_POINTS = 60
OVERRIDE_MIN_OBS = 36
RIDGE_LAMBDA = 1.0
TARGET_CLIP = 0.5
MIN_POOL_ROWS = 100
OUTLIER_WINDOW = 12
OUTLIER_MIN_OBS = 6
OUTLIER_FLOOR = math.log(3.0)
OUTLIER_MADS = 5.0
SEASON_SHRINK = 0.5
SEASON_MIN_YEARS = 3
PEER_LIVE_MONTHS = 2  # a peer's price older than this is not "current"
LONG_MEAN = 36
HUB = "Kisenyi_Kampala"  # Owino: Kampala often leads
NORTH = frozenset({"Gulu", "Lira"})
POOLED_KINDS = frozenset({"retail", "wholesale"})
POOL_MIN_OBSERVATIONS = 36  # shorter series neither train the pooled model nor act as peers
BAND_QUANTILE = 0.8
DEFAULT_BAND = 0.15
OVERRIDE_CANDIDATES = ("naive", "ses", "seas", "pool", "prophet")
MAX_LOG_PRICE = 30.0  # e^30 UGX/kg: far beyond any price, far below a float overflow
MAX_REPORTED_MAPE = 1e6  # inner MAPEs are stored (DynamoDB numbers); an exploded candidate is capped

type ProphetFit = Callable[[list[date], np.ndarray, int], np.ndarray]


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_date(index: int) -> date:
    return date(index // 12, index % 12 + 1, 15)


# ---------------------------------------------------------------------------------------------------
# Building blocks (each looks only at the values it is given, never ahead)
# ---------------------------------------------------------------------------------------------------
def clean(logs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cleaned log prices and the flags of replaced values (NaN = not observed, kept NaN)."""
    cleaned, flags = logs.astype(float).copy(), np.zeros(len(logs), dtype=bool)
    observed = np.flatnonzero(~np.isnan(logs))
    for j, m in enumerate(observed):
        # Against the raw trailing window: judged against cleaned values, a genuine level shift
        # would be "corrected" forever. The median shrugs off an occasional outlier in the window.
        window = logs[observed[max(0, j - OUTLIER_WINDOW) : j]]
        if len(window) < OUTLIER_MIN_OBS:
            continue
        median = float(np.median(window))
        mad = 1.4826 * float(np.median(np.abs(window - median)))
        if abs(logs[m] - median) > max(OUTLIER_FLOOR, OUTLIER_MADS * mad):
            cleaned[m], flags[m] = median, True
    return cleaned, flags


def ffill(values: np.ndarray, limit: int | None = None) -> np.ndarray:
    out, last = values.copy(), -1
    for t in range(len(values)):
        if not np.isnan(values[t]):
            last = t
        elif last >= 0 and (limit is None or t - last <= limit):
            out[t] = values[last]
    return out


def trailing_mean(values: np.ndarray, window: int, min_count: int) -> np.ndarray:
    """Mean of the non-missing values in the trailing window ending at each month."""
    present = ~np.isnan(values)
    sums = np.concatenate([[0.0], np.cumsum(np.where(present, values, 0.0))])
    counts = np.concatenate([[0], np.cumsum(present)])
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - window)
    n = counts[ends] - counts[starts]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n >= min_count, (sums[ends] - sums[starts]) / np.maximum(n, 1), np.nan)


def season_factors(logs: np.ndarray, months: np.ndarray, shrink: float = SEASON_SHRINK) -> np.ndarray:
    """Log month factors (index = calendar month 0..11): per-month medians of the deviation from a
    centred 2x12 moving average that lies inside the history; zero without 4 years of data."""
    if len(logs) < 12 * SEASON_MIN_YEARS + 12:
        return np.zeros(12)
    average = np.convolve(logs, np.r_[0.5, np.ones(11), 0.5] / 12, mode="valid")
    deviation, month = logs[6 : 6 + len(average)] - average, months[6 : 6 + len(average)]
    factors = np.array(
        [
            np.median(deviation[month == k]) if np.count_nonzero(month == k) >= SEASON_MIN_YEARS else 0.0
            for k in range(12)
        ]
    )
    return np.asarray(shrink * (factors - factors.mean()))


def _ses_run(values: np.ndarray, alpha: float) -> tuple[float, float]:
    level, sse = float(values[0]), 0.0
    for value in values[1:]:
        sse += (value - level) ** 2
        level += alpha * (value - level)
    return level, sse


def ses_level(values: np.ndarray) -> float:
    """Simple exponential smoothing, alpha in 0.1..1.0 chosen by in-sample one-step SSE."""
    alpha = min((_ses_run(values, a)[1], a) for a in np.arange(0.1, 1.001, 0.1))[1]
    return _ses_run(values, float(alpha))[0]


def _ridge(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], float]:
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-8
    z = (x - mean) / scale
    centre = float(y.mean())
    beta = np.linalg.solve(z.T @ z + RIDGE_LAMBDA * len(y) * np.eye(z.shape[1]), z.T @ (y - centre))
    return lambda row: centre + float(((row - mean) / scale) @ beta)


# ---------------------------------------------------------------------------------------------------
# The panel
# ---------------------------------------------------------------------------------------------------
@dataclass
class Forecast:
    method: str
    logs: np.ndarray  # log price forecasts for months T+1..T+horizon
    band: list[float]  # relative half-width of the 80% band per month ahead
    inner: dict[str, float] = field(default_factory=dict)  # candidate -> inner MAPE over h=1..3


class Panel:
    """Monthly log prices of many series on one calendar, and the method above applied to them.

    ``series`` maps each key to {month index: price}. ``pool_markets`` are the markets whose real
    (retail/wholesale) series train the pooled model and serve as one another's peers.
    """

    def __init__(
        self,
        series: dict[SeriesKey, dict[int, float]],
        pool_markets: Iterable[str],
        *,
        horizon: int = max(HORIZONS),
        prophet: ProphetFit | None = None,
    ) -> None:
        self.keys = sorted(k for k, v in series.items() if v)
        self.start = min(min(series[k]) for k in self.keys)
        end = max(max(series[k]) for k in self.keys)
        self.width = end - self.start + 1
        self.horizon = horizon
        self.logs = np.full((len(self.keys), self.width), np.nan)
        for i, key in enumerate(self.keys):
            for month, price in series[key].items():
                self.logs[i, month - self.start] = math.log(price)
        self.observed = ~np.isnan(self.logs)
        self.cleaned = np.full_like(self.logs, np.nan)
        self.flags = np.zeros(self.logs.shape, dtype=bool)
        for i in range(len(self.keys)):
            self.cleaned[i], self.flags[i] = clean(self.logs[i])
        self.filled = np.array([ffill(c) for c in self.cleaned])
        self.live = np.array([ffill(c, PEER_LIVE_MONTHS) for c in self.cleaned])
        self.first = np.array([int(np.flatnonzero(row)[0]) for row in self.observed])
        self.counts = np.cumsum(self.observed, axis=1)
        self.calendar = np.array([(self.start + t) % 12 for t in range(self.width)])  # month 0..11
        markets = set(pool_markets)
        self.pooled = [
            i
            for i, k in enumerate(self.keys)
            if k.market in markets and k.kind in POOLED_KINDS and self.counts[i, -1] >= POOL_MIN_OBSERVATIONS
        ]
        self.crops = sorted({self.keys[i].crop for i in self.pooled})
        self._prophet_fit = prophet
        self._features: dict[int, np.ndarray] = {}
        self._seasonal: dict[int, np.ndarray] = {}
        self._ridges: dict[tuple[int, int], Callable[[np.ndarray], float] | None] = {}
        self._cache: dict[tuple[str, int, int, int], np.ndarray] = {}

    def index(self, key: SeriesKey) -> int:
        return self.keys.index(key)

    def col(self, month: int) -> int:
        return month - self.start

    def origins(self, i: int) -> list[int]:
        """Columns at which a model may run for series i (observed, >= 12 months of history)."""
        return [int(t) for t in np.flatnonzero(self.observed[i]) if t - self.first[i] >= MIN_MODEL_HISTORY]

    # -- features ------------------------------------------------------------------------------
    def _seasonal_changes(self, i: int) -> np.ndarray:
        """[h-1, s]: the series' expected seasonal log change month(s) -> month(s+h), factors from
        data <= s (unshrunk: the ridge decides how much to trust it)."""
        if i not in self._seasonal:
            out = np.zeros((self.horizon, self.width))
            first = self.first[i]
            for s in range(first + 48, self.width):
                if self.observed[i, s]:
                    factors = season_factors(
                        self.filled[i, first : s + 1], self.calendar[first : s + 1], shrink=1.0
                    )
                    for h in range(1, self.horizon + 1):
                        out[h - 1, s] = factors[(self.calendar[s] + h) % 12] - factors[self.calendar[s]]
            self._seasonal[i] = out
        return self._seasonal[i]

    def _change(self, j: int) -> np.ndarray:
        return np.asarray(self.live[j] - np.r_[np.nan, self.filled[j][:-1]])

    def _base_features(self, i: int) -> np.ndarray:
        if i in self._features:
            return self._features[i]
        key = self.keys[i]
        d1 = self._change(i)
        d2, d3 = np.r_[np.nan, d1[:-1]], np.r_[np.nan, np.nan, d1[:-2]]
        peers = [
            j
            for j in self.pooled
            if j != i and self.keys[j].crop == key.crop and self.keys[j].kind == key.kind
        ]
        zeros = np.zeros(self.width)
        if peers:
            with warnings.catch_warnings():  # months where no peer has a current price
                warnings.simplefilter("ignore", RuntimeWarning)
                gap = self.live[i] - np.nanmean(self.live[peers], axis=0)
                peer_change = np.nanmean(np.array([self._change(j) for j in peers]), axis=0)
            relative = gap - trailing_mean(gap, LONG_MEAN, 12)
        else:
            relative = peer_change = zeros
        hubs = [j for j in self.pooled if self.keys[j].market == HUB and self.keys[j].crop == key.crop]
        hubs.sort(key=lambda j: self.keys[j].kind != key.kind)
        hub_change = self._change(hubs[0]) if hubs and key.market != HUB else zeros
        own_gap = self.filled[i] - trailing_mean(
            np.where(self.observed[i], self.cleaned[i], np.nan), LONG_MEAN, 18
        )
        month = self.calendar + 1
        harmonics = [f(2 * np.pi * q * month / 12) for q in (1, 2) for f in (np.sin, np.cos)]
        crop = [float(key.crop == c) for c in self.crops]
        columns = [d1, d2, d3, relative, peer_change, hub_change, own_gap]
        columns += [np.nan_to_num(relative) * c for c in crop]
        columns += [h * c for c in crop for h in harmonics]
        columns += [h * float(key.market in NORTH) for h in harmonics]
        self._features[i] = np.nan_to_num(np.column_stack(columns))
        return self._features[i]

    def _rows(self, i: int, columns: np.ndarray, h: int) -> np.ndarray:
        """Feature rows of series i at the given months for horizon h."""
        expected = self._seasonal_changes(i)[h - 1, columns]
        crop = np.array([float(self.keys[i].crop == c) for c in self.crops])
        return np.column_stack([self._base_features(i)[columns], expected, expected[:, None] * crop[None, :]])

    @cached_property
    def _training_rows(self) -> tuple[np.ndarray, dict[int, np.ndarray], dict[int, np.ndarray]]:
        months: list[np.ndarray] = []
        x: dict[int, list[np.ndarray]] = {h: [] for h in range(1, self.horizon + 1)}
        y: dict[int, list[np.ndarray]] = {h: [] for h in range(1, self.horizon + 1)}
        for i in self.pooled:
            columns = np.flatnonzero(self.observed[i])
            columns = columns[columns >= self.first[i] + MIN_MODEL_HISTORY]
            months.append(columns)
            for h in range(1, self.horizon + 1):
                x[h].append(self._rows(i, columns, h))
                target = np.full(len(columns), np.nan)
                inside = columns + h < self.width
                ahead = columns[inside] + h
                target[inside] = np.where(
                    self.observed[i, ahead], self.cleaned[i, ahead] - self.cleaned[i, columns[inside]], np.nan
                )
                y[h].append(target)
        if not months:
            empty = np.zeros(0)
            return empty, {h: empty for h in x}, {h: empty for h in y}
        return (
            np.concatenate(months),
            {h: np.vstack(rows) for h, rows in x.items()},
            {h: np.concatenate(values) for h, values in y.items()},
        )

    def _ridge_at(self, t: int, h: int) -> Callable[[np.ndarray], float] | None:
        if (t, h) not in self._ridges:
            months, x, y = self._training_rows
            train = (months + h <= t) & np.isfinite(y[h]) if len(months) else np.zeros(0, dtype=bool)
            self._ridges[(t, h)] = (
                _ridge(x[h][train], np.clip(y[h][train], -TARGET_CLIP, TARGET_CLIP))
                if np.count_nonzero(train) >= MIN_POOL_ROWS
                else None
            )
        return self._ridges[(t, h)]

    # -- candidates ----------------------------------------------------------------------------
    def candidate(self, name: str, i: int, t: int, steps: int | None = None) -> np.ndarray:
        """Log forecasts for months t+1..t+steps (default: the panel's horizon) of series i, from
        data at months <= t only."""
        key = (name, i, t, steps or self.horizon)
        if key not in self._cache:
            self._cache[key] = self._compute(*key)
        return self._cache[key]

    def _compute(self, name: str, i: int, t: int, steps: int) -> np.ndarray:
        candidates: dict[str, Callable[[int, int, int], np.ndarray]] = {
            "naive": lambda i, t, n: np.repeat(self.logs[i, t], n),
            "seasonal_naive": self._seasonal_naive,
            "ses": lambda i, t, n: np.repeat(ses_level(self._history(i, t)), n),
            "naive_ses": lambda i, t, n: np.repeat(
                0.5 * (ses_level(self._history(i, t)) + self.cleaned[i, t]), n
            ),
            "seas": self._seas,
            "pool": self._pool,
            "ens": lambda i, t, n: np.asarray(
                0.5 * (self.candidate("pool", i, t, n) + self.candidate("seas", i, t, n))
            ),
            "prophet": self._prophet,
        }
        return candidates[name](i, t, steps)

    def _history(self, i: int, t: int) -> np.ndarray:
        return np.asarray(self.filled[i, self.first[i] : t + 1])

    def _seasonal_naive(self, i: int, t: int, steps: int) -> np.ndarray:
        back = [t + h - 12 for h in range(1, steps + 1)]
        return np.array(
            [self.logs[i, b] if b >= 0 and self.observed[i, b] else self.logs[i, t] for b in back]
        )

    def _seas(self, i: int, t: int, steps: int) -> np.ndarray:
        factors = season_factors(self._history(i, t), self.calendar[self.first[i] : t + 1])
        ahead = (self.calendar[t] + np.arange(1, steps + 1)) % 12
        return np.asarray(self.cleaned[i, t] - factors[self.calendar[t]] + factors[ahead])

    def _pool(self, i: int, t: int, steps: int) -> np.ndarray:
        out = np.repeat(self.cleaned[i, t], steps)
        for h in range(1, steps + 1):
            ridge = self._ridge_at(t, h)
            if ridge is not None:
                out[h - 1] += ridge(self._rows(i, np.array([t]), h)[0])
        return out

    def _prophet(self, i: int, t: int, steps: int) -> np.ndarray:
        if self._prophet_fit is None:
            raise KeyError("prophet is not enabled for this panel")
        seen = np.flatnonzero(self.observed[i, : t + 1])
        days = [month_date(self.start + int(s)) for s in seen]
        return self._prophet_fit(days, self.cleaned[i, seen], steps)

    # -- selection -----------------------------------------------------------------------------
    def inner_errors(self, name: str, i: int, t: int) -> dict[int, list[float]]:
        """APEs of a candidate at the inner origins s in [t-36, t), for targets s+h <= t only."""
        errors: dict[int, list[float]] = {h: [] for h in HORIZONS}
        for s in self.origins(i):
            if not t - INNER_WINDOW <= s < t:
                continue
            forecast = self.candidate(name, i, s, max(HORIZONS))
            for h in HORIZONS:
                if s + h <= t and self.observed[i, s + h]:
                    actual = math.exp(self.logs[i, s + h])
                    # A candidate that explodes (default Prophet on a short series can forecast a
                    # log price in the hundreds) scores a huge error, not an OverflowError.
                    errors[h].append(
                        abs(math.exp(min(float(forecast[h - 1]), MAX_LOG_PRICE)) - actual) / actual
                    )
        return errors

    def inner_mape(self, name: str, i: int, t: int) -> float:
        """A candidate's inner-backtest MAPE over h=1..3 (inf without any scored point)."""
        return _mape(self.inner_errors(name, i, t))

    def forecast(self, i: int, t: int) -> Forecast:
        """What is served for series i at origin t: ENS, or a candidate that beat it clearly."""
        if t - self.first[i] < MIN_MODEL_HISTORY:
            return Forecast("naive", self.candidate("naive", i, t), self._band({}))
        inner = {"ens": self.inner_errors("ens", i, t)}
        best, best_score = "ens", _mape(inner["ens"]) * (1 - OVERRIDE_MARGIN)
        if self.counts[i, t] >= OVERRIDE_MIN_OBS:
            for name in OVERRIDE_CANDIDATES:
                if name == "prophet" and self._prophet_fit is None:
                    continue
                inner[name] = errors = self.inner_errors(name, i, t)
                score = _mape(errors)
                if sum(len(e) for e in errors.values()) >= OVERRIDE_MIN_POINTS and score < best_score:
                    best, best_score = name, score
        return Forecast(
            best,
            self.candidate(best, i, t),
            self._band(inner.get(best, {})),
            {
                name: round(score, 4)
                for name, errors in inner.items()
                if math.isfinite(score := min(_mape(errors), MAX_REPORTED_MAPE))
            },
        )

    def _band(self, errors: dict[int, list[float]]) -> list[float]:
        """80% band per month ahead from the inner errors; beyond 3 months it widens with sqrt(h)."""
        base = [
            float(np.quantile(errors[h], BAND_QUANTILE)) if errors.get(h) else DEFAULT_BAND * math.sqrt(h)
            for h in HORIZONS
        ]
        last = base[-1]
        return [
            base[h - 1] if h <= len(base) else last * math.sqrt(h / len(base))
            for h in range(1, self.horizon + 1)
        ]


def _mape(errors: dict[int, list[float]]) -> float:
    per_horizon = [float(np.mean(e)) for e in errors.values() if e]
    return float(np.mean(per_horizon)) if per_horizon else math.inf


def prophet_fit(days: list[date], logs: np.ndarray, horizon: int) -> np.ndarray:
    """Default Prophet on (cleaned) log prices: a candidate, reported honestly by the backtest."""
    import logging  # noqa: PLC0415

    import pandas as pd  # noqa: PLC0415
    from prophet import Prophet  # noqa: PLC0415

    for name in ("cmdstanpy", "prophet"):
        logging.getLogger(name).setLevel(logging.ERROR)
    model = Prophet(uncertainty_samples=0)
    model.fit(pd.DataFrame({"ds": pd.to_datetime(days), "y": logs}))
    last = month_index(days[-1])
    future = pd.to_datetime([month_date(last + h) for h in range(1, horizon + 1)])
    return np.asarray(model.predict(pd.DataFrame({"ds": future}))["yhat"].to_numpy())
