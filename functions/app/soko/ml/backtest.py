"""``make backtest``: a rolling-origin backtest on the real WFP series (training-side tool).

For every (market, crop, price type) series of the target crops in the six seed markets with
enough history, and each of its last 24 months as origin t: every candidate is fitted on the data
up to t only and forecasts t+1..t+3 calendar months; errors are scored where the actual exists.
"What is served" is chosen per series *at each origin* by an inner backtest on data before t.
Baselines: naive (last value) and seasonal naive (same month last year).

Writes ``reports/backtest.json``, ``reports/backtest.md`` and a PNG per series.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from soko.ml import forecasting as fc
from soko.ml.ingest import read_wfp
from soko.ml.markets import MARKETS

ORIGINS = 24
SEED_MARKETS = tuple(m.id for m in MARKETS if m.seed)
REPORTS = Path(__file__).resolve().parents[4] / "reports"


@dataclass
class Series:
    market: str
    crop: str
    pricetype: str
    months: list[date]  # calendar months, consecutive
    prices: np.ndarray  # NaN where WFP has no value

    @property
    def name(self) -> str:
        return f"{self.market}.{self.crop}.{self.pricetype}"


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def load_series(min_months: int = fc.MIN_HISTORY + ORIGINS) -> list[Series]:
    grouped: dict[tuple[str, str, str], dict[int, float]] = defaultdict(dict)
    for o in read_wfp():
        if o.market in SEED_MARKETS:
            grouped[(o.market, o.crop, o.pricetype)][_month_index(o.day)] = float(o.price)
    out = []
    for (market, crop, pricetype), values in sorted(grouped.items()):
        if len(values) < min_months:
            continue
        first, last = min(values), max(values)
        months = [date(i // 12, i % 12 + 1, 15) for i in range(first, last + 1)]
        prices = np.array([values.get(i, np.nan) for i in range(first, last + 1)])
        out.append(Series(market, crop, pricetype, months, prices))
    return out


def history_at(prices: np.ndarray, t: int) -> np.ndarray:
    """The log history a model may use at origin t: observed values up to t, gaps filled forward
    (from the past only), leading gaps dropped."""
    seen = prices[: t + 1]
    first = int(np.argmax(~np.isnan(seen)))
    filled = seen[first:].copy()
    for i in range(1, len(filled)):
        if np.isnan(filled[i]):
            filled[i] = filled[i - 1]
    return fc.clean(np.log(filled))


def _selected(prices: np.ndarray, t: int, pool: dict[str, fc.Forecaster]) -> str:
    """The candidate an inner backtest on data before t prefers (what would be served at t)."""
    history = np.exp(history_at(prices, t))
    if len(history) < fc.MIN_HISTORY:
        return "naive"
    return fc.select(history, pool).method


@dataclass
class Scores:
    errors: dict[str, dict[int, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def add(self, name: str, horizon: int, error: float) -> None:
        self.errors[name][horizon].append(error)

    def mape(self, name: str, horizon: int | None = None) -> float:
        if horizon is not None:
            values = self.errors[name][horizon]
            return float(np.mean(values)) if values else math.nan
        return float(np.mean([self.mape(name, h) for h in fc.HORIZONS]))


def run(include_prophet: bool = True, plots: bool = True) -> dict[str, Any]:
    started = time.monotonic()
    pool = fc.candidates()
    everything: dict[str, fc.Forecaster] = {**pool, "seasonal_naive": fc.seasonal_naive}
    if include_prophet:
        everything["prophet"] = fc.prophet
    overall = Scores()
    series_reports = []
    for series in load_series():
        scores = Scores()
        traces: dict[str, list[tuple[int, float]]] = defaultdict(list)
        last = len(series.prices) - 1
        origins = [t for t in range(last - ORIGINS - max(fc.HORIZONS) + 1, last - max(fc.HORIZONS) + 1)]
        for t in origins:
            if np.isnan(series.prices[t]):
                continue
            history = history_at(series.prices, t)
            chosen = _selected(series.prices, t, pool)
            forecasts = {name: forecaster(history) for name, forecaster in everything.items()}
            forecasts["model"] = forecasts[chosen]
            for index, h in enumerate(fc.HORIZONS):
                actual = series.prices[t + h]
                if np.isnan(actual):
                    continue
                for name, values in forecasts.items():
                    error = abs(math.exp(values[index]) - actual) / actual
                    scores.add(name, h, error)
                    overall.add(name, h, error)
                if h == 1:
                    traces["model"].append((t + 1, math.exp(forecasts["model"][0])))
        series_reports.append(_series_report(series, scores))
        if plots:
            _plot(series, traces["model"])
    return _report(overall, series_reports, time.monotonic() - started)


def _series_report(series: Series, scores: Scores) -> dict[str, Any]:
    naive = scores.mape("naive")
    return {
        "series": series.name,
        "market": series.market,
        "crop": series.crop,
        "pricetype": series.pricetype,
        "months": int(np.sum(~np.isnan(series.prices))),
        "first": series.months[0].isoformat(),
        "last": series.months[-1].isoformat(),
        "model_mape": round(scores.mape("model"), 4),
        "naive_mape": round(naive, 4),
        "seasonal_naive_mape": round(scores.mape("seasonal_naive"), 4),
        "ratio": round(scores.mape("model") / naive, 3) if naive else None,
    }


def _report(overall: Scores, series: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    names = sorted(overall.errors)
    by_horizon = {
        str(h): {
            f"{name}_mape": round(overall.mape(name, h), 4) for name in ("model", "naive", "seasonal_naive")
        }
        | {"ratio": round(overall.mape("model", h) / overall.mape("naive", h), 3)}
        for h in fc.HORIZONS
    }
    candidates = {
        name: {
            "mape": round(overall.mape(name), 4),
            "ratio_to_naive": round(overall.mape(name) / overall.mape("naive"), 3),
            "by_horizon": {
                str(h): round(overall.mape(name, h) / overall.mape("naive", h), 3) for h in fc.HORIZONS
            },
        }
        for name in names
    }
    return {
        "overall": {
            "model_mape": round(overall.mape("model"), 4),
            "naive_mape": round(overall.mape("naive"), 4),
            "seasonal_naive_mape": round(overall.mape("seasonal_naive"), 4),
            "ratio": round(overall.mape("model") / overall.mape("naive"), 3),
            "by_horizon": by_horizon,
        },
        "candidates": candidates,
        "series": series,
        "setup": {
            "origins": ORIGINS,
            "horizons_months": list(fc.HORIZONS),
            "series_count": len(series),
            "markets": list(SEED_MARKETS),
            "seconds": round(seconds, 1),
            "data": "WFP via HDX (CC BY-IGO 3.0), data/wfp/wfp_uganda_prices.csv",
        },
    }


def _plot(series: Series, one_step: list[tuple[int, float]]) -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    folder = REPORTS / "backtest"
    folder.mkdir(parents=True, exist_ok=True)
    figure, axis = plt.subplots(figsize=(8, 3.2))
    start = max(0, len(series.months) - 60)
    when = np.array(series.months, dtype="datetime64[D]")
    axis.plot(when[start:], series.prices[start:], label="actual (UGX/kg)", color="black")
    if one_step:
        axis.plot(
            when[[i for i, _ in one_step]],
            [v for _, v in one_step],
            "o-",
            ms=3,
            label="1-month-ahead forecast",
            color="tab:green",
        )
    axis.set_title(series.name)
    axis.legend(loc="best", fontsize=8)
    figure.tight_layout()
    figure.savefig(folder / f"{series.name}.png", dpi=80)
    plt.close(figure)


def markdown(report: dict[str, Any]) -> str:
    o = report["overall"]
    lines = [
        "# Price forecast backtest (WFP Uganda, real data)",
        "",
        f"{report['setup']['series_count']} series, last {ORIGINS} origins each, horizons 1-3 months; "
        f"{report['setup']['seconds']} s. Data: WFP via HDX (CC BY-IGO 3.0).",
        "",
        f"**Served (per-series selection by inner backtest): MAPE {o['model_mape']:.2%} vs naive "
        f"{o['naive_mape']:.2%} - ratio {o['ratio']:.3f}** (seasonal naive {o['seasonal_naive_mape']:.2%}).",
        "",
        "| horizon | served | naive | seasonal naive | ratio |",
        "|---|---|---|---|---|",
    ]
    for h, row in o["by_horizon"].items():
        lines.append(
            f"| {h} | {row['model_mape']:.2%} | {row['naive_mape']:.2%} | "
            f"{row['seasonal_naive_mape']:.2%} | {row['ratio']:.3f} |"
        )
    lines += [
        "",
        "| candidate | MAPE (h=1..3) | ratio to naive | h1 | h2 | h3 |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in sorted(report["candidates"].items(), key=lambda kv: kv[1]["ratio_to_naive"]):
        hz = row["by_horizon"]
        ratios = f"{hz['1']} | {hz['2']} | {hz['3']}"
        lines.append(f"| {name} | {row['mape']:.2%} | {row['ratio_to_naive']:.3f} | {ratios} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-prophet", action="store_true", help="leave Prophet out (faster)")
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)
    report = run(include_prophet=not args.no_prophet, plots=not args.no_plots)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "backtest.json").write_text(json.dumps(report, indent=2) + "\n")
    (REPORTS / "backtest.md").write_text(markdown(report))
    sys.stdout.write(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
