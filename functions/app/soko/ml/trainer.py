"""Training (the logic behind the Step Functions tasks in soko.ml.training): list the trainable pairs,
and train one pair.

Listing also takes a snapshot of every monthly price series, so that every pair of one run is
trained on the same data. Training one pair builds the panel of all series (the pooled model learns
from every market; soko.ml.forecasting), chooses what to serve by an inner backtest on data before
the forecast origin, forecasts on log prices, turns the months ahead into 12 weekly prices with
bounds, stores the model document and serves its forecast, drops the pair's cached answers, and
publishes ModelTrained. Only the training functions import this module (numpy; pandas and Prophet
for the Prophet candidate).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import numpy as np

from soko.ml import fallback, forecasting, series
from soko.ml.events import ModelTrained
from soko.ml.markets import MARKETS
from soko.ml.models import ModelDocument, Observation, PairCoverage, WeeklyPrice
from soko.ml.series import Panel, SeriesKey
from soko.shared import clock, ids
from soko.shared.events import EventDetail

WEEKS = 12
POOL_MARKETS = tuple(m.id for m in MARKETS if m.seed)


class NotEnoughData(Exception):
    """The pair has too few months of prices to train on (caught per pair by the state machine)."""


class SeriesSource(Protocol):
    """The observations (soko.ml.dal.MlDal)."""

    def coverage(self) -> list[PairCoverage]: ...
    def observations(self, market: str, crop: str) -> list[Observation]: ...


class ForecastSink(SeriesSource, Protocol):
    """Where a trained pair's forecast is served from (soko.ml.dal.MlDal)."""

    def put_forecast(self, document: ModelDocument) -> None: ...
    def drop_cache(self, market: str, crop: str) -> int: ...


class ModelArchive(Protocol):
    """The models bucket (soko.ml.model_store.ModelStore)."""

    def put_snapshot(self, panel: Panel) -> str: ...
    def snapshot(self, key: str) -> Panel: ...
    def put_model(self, document: ModelDocument) -> None: ...


@dataclass
class Training:
    """What training needs, injected by the handlers (and by tests)."""

    table: ForecastSink
    models: ModelArchive
    publish: Callable[[Sequence[EventDetail]], object]
    prophet: bool = True  # fit Prophet at the inner origins as an override candidate


@dataclass
class Trained:
    market: str
    crop: str
    model_version: str
    method: str
    data_through: str
    data_from: str
    predictions: list[WeeklyPrice]
    inner_mape: float
    naive_mape: float
    candidates: dict[str, float]
    months: int
    series_kind: str


def trainable_pairs(source: SeriesSource) -> list[dict[str, str]]:
    """Pairs with at least MIN_HISTORY observations of any source (from the coverage counts)."""
    pairs = [
        {"market": c.market, "crop": c.crop}
        for c in source.coverage()
        if c.observations >= forecasting.MIN_HISTORY
    ]
    return sorted(pairs, key=lambda p: (p["crop"], p["market"]))


def collect(source: SeriesSource, also: tuple[str, str] | None = None) -> Panel:
    """Every covered pair's monthly series of every price type (and the pair ``also``, counted or
    not), keyed for the forecasting panel."""
    panel: Panel = {}
    pairs = {(c.market, c.crop) for c in source.coverage()}
    for market, crop in sorted(pairs | ({also} if also else set())):
        for kind, points in series.monthly_by_kind(source.observations(market, crop)).items():
            panel[SeriesKey(market, crop, kind)] = {
                forecasting.month_index(day): price for day, price in points
            }
    return panel


def list_pairs(
    source: SeriesSource, models: ModelArchive, only: list[tuple[str, str]] | None = None
) -> dict[str, object]:
    """Snapshot every series for this run, and the pairs to train on it: every trainable pair, or
    those of ``only`` that are trainable (a run started for the pairs whose prices changed)."""
    key = models.put_snapshot(collect(source))
    pairs = trainable_pairs(source)
    if only is not None:
        wanted = set(only)
        pairs = [p for p in pairs if (p["market"], p["crop"]) in wanted]
    return {"snapshot": key, "pairs": [pair | {"snapshot": key} for pair in pairs]}


def requested_pairs(event: dict[str, object]) -> list[tuple[str, str]] | None:
    """The run's ``pairs`` input (``[{"market", "crop"}]``), or None when it names none (the weekly
    schedule's event: every pair). A malformed list is refused, not read as "every pair"."""
    pairs = event.get("pairs")
    if pairs is None:
        return None
    if not isinstance(pairs, list) or not all(
        isinstance(p, dict) and isinstance(p.get("market"), str) and isinstance(p.get("crop"), str)
        for p in pairs
    ):
        raise ValueError('"pairs" must be a list of {"market", "crop"} objects')
    return [(str(p["market"]), str(p["crop"])) for p in pairs]


def panel_for(deps: Training, snapshot: str | None, pair: tuple[str, str]) -> Panel:
    """The run's snapshot; without one (a pair trained on its own), the table as it is now."""
    return deps.models.snapshot(snapshot) if snapshot else collect(deps.table, also=pair)


def weekly(
    last_month: date, last_log: float, monthly_logs: np.ndarray, band: list[float], today: date
) -> list[WeeklyPrice]:
    """Weekly prices for the next WEEKS weeks: log-linear between the last observed month and the
    monthly forecasts (each placed on the 15th), flat after the last one; bounds widen with it."""
    base = forecasting.month_index(last_month)
    anchors = [(last_month, last_log)] + [
        (forecasting.month_date(base + h), float(v)) for h, v in enumerate(monthly_logs, start=1)
    ]
    out = []
    for start in fallback.week_starts(today, WEEKS):
        middle = start + timedelta(days=3)
        value, width = anchors[-1][1], band[-1]
        for (d0, v0), (d1, v1), b in zip(anchors, anchors[1:], band, strict=False):
            if d0 <= middle <= d1:
                share = (middle - d0).days / max(1, (d1 - d0).days)
                value, width = v0 + share * (v1 - v0), b
                break
        price = math.exp(value)
        out.append(
            WeeklyPrice(
                week_start=start,
                price=round(price),
                lower=round(price * (1 - min(width, 0.9))),
                upper=round(price * (1 + width)),
            )
        )
    return out


def horizon_for(data_through: date, today: date) -> int:
    """Months to forecast: up to the month of the last week served, at least the scored 3, at most 12
    (older data serves the last month's forecast flat)."""
    last_week = fallback.week_starts(today, WEEKS)[-1]
    needed = forecasting.month_index(last_week) - forecasting.month_index(data_through) + 1
    return max(*forecasting.HORIZONS, min(12, needed))


def train_pair(market: str, crop: str, panel: Panel, *, prophet: bool) -> Trained:
    kinds = {k.kind: v for k, v in panel.items() if k.market == market and k.crop == crop}
    kind = series.preferred(kinds)
    observed = len(kinds[kind]) if kind else 0
    if kind is None or observed < forecasting.MIN_HISTORY:
        raise NotEnoughData(
            f"{market}/{crop} has {observed} months of prices; {forecasting.MIN_HISTORY} needed"
        )
    key = SeriesKey(market, crop, kind)
    today = clock.now().date()
    last = max(panel[key])
    model = forecasting.Panel(
        panel,
        POOL_MARKETS,
        horizon=horizon_for(forecasting.month_date(last), today),
        prophet=forecasting.prophet_fit if prophet else None,
    )
    i, t = model.index(key), model.col(last)
    chosen = model.forecast(i, t)
    predictions = weekly(
        forecasting.month_date(last), float(model.cleaned[i, t]), chosen.logs, chosen.band, today
    )
    naive = model.inner_mape("naive", i, t)
    return Trained(
        market=market,
        crop=crop,
        model_version=ids.ulid(),
        method=chosen.method,
        data_through=forecasting.month_date(last).isoformat(),
        data_from=forecasting.month_date(min(panel[key])).isoformat(),
        predictions=predictions,
        inner_mape=chosen.inner.get(chosen.method, naive),
        naive_mape=naive,
        candidates=chosen.inner,
        months=observed,
        series_kind=kind,
    )


def finite(value: float) -> float | None:
    return round(value, 4) if math.isfinite(value) else None


def publish(trained: Trained, deps: Training) -> ModelDocument:
    """Store the model document and serve its forecast, drop cached answers, announce it."""
    document = ModelDocument(
        market=trained.market,
        crop=trained.crop,
        model_version=trained.model_version,
        method=trained.method,
        series=trained.series_kind,
        data_through=trained.data_through,
        trained_at=clock.now_iso(),
        inner_backtest_mape=finite(trained.inner_mape),
        inner_backtest_naive_mape=finite(trained.naive_mape),
        inner_backtest_candidates=trained.candidates,
        data_from=trained.data_from,
        predictions=trained.predictions,
    )
    deps.models.put_model(document)
    deps.table.put_forecast(document)
    deps.table.drop_cache(trained.market, trained.crop)
    deps.publish(
        [
            ModelTrained(
                market=trained.market,
                crop=trained.crop,
                model_version=trained.model_version,
                method=trained.method,
                data_through=trained.data_through,
                observations=trained.months,
                backtest_mape=finite(trained.inner_mape),
                naive_mape=finite(trained.naive_mape),
            )
        ]
    )
    return document


def train(deps: Training, market: str, crop: str, snapshot: str | None) -> dict[str, object]:
    """Train one pair (on the run's snapshot when given) and publish it; the task's result."""
    trained = train_pair(market, crop, panel_for(deps, snapshot, (market, crop)), prophet=deps.prophet)
    publish(trained, deps)
    return {
        "market": market,
        "crop": crop,
        "model_version": trained.model_version,
        "method": trained.method,
        "inner_mape": finite(trained.inner_mape),
        "naive_mape": finite(trained.naive_mape),
    }
