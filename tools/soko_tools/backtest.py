"""``make backtest``: a rolling-origin backtest on the real WFP series (training-side tool).

Series: every (market, crop, price type) series of the target crops in the six seed markets with at
least 36 monthly observations. Origins: the last 24 observed months of each series. At origin t every
candidate, and the served method (soko.ml.forecasting: ENS with its guarded override, chosen on data
before t), sees months <= t only and forecasts t+1..t+3; errors are scored against the raw actual
where one exists. Baselines: naive (last value) and seasonal naive (same month last year).

Writes ``reports/backtest.json``, ``reports/backtest.md`` and a PNG per series in ``reports/backtest/``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from soko.ml import forecasting as fc
from soko.ml.markets import MARKETS
from soko.ml.series import SeriesKey
from soko_tools.wfp import read_wfp

ORIGINS = 24
MIN_OBSERVATIONS = 36
SEED_MARKETS = tuple(m.id for m in MARKETS if m.seed)
REPORTS = Path(__file__).resolve().parents[2] / "reports"
SERVED = "model"
REPORTED = ("naive", "seasonal_naive", "ses", "naive_ses", "seas", "pool", "ens", "prophet")
LABELS = {
    SERVED: "served: ENS with guarded override (chosen on data before each origin)",
    "naive": "naive (last value)",
    "seasonal_naive": "seasonal naive (same month last year)",
    "ses": "simple exponential smoothing",
    "naive_ses": "naive/SES average",
    "seas": "SEAS: last value x own month factors",
    "pool": "POOL: pooled ridge across markets",
    "ens": "ENS: mean of POOL and SEAS",
    "prophet": "Prophet (default, log of cleaned prices)",
}


def wfp_series() -> dict[SeriesKey, dict[int, float]]:
    series: dict[SeriesKey, dict[int, float]] = defaultdict(dict)
    for o in read_wfp():
        if o.market in SEED_MARKETS:
            series[SeriesKey(o.market, o.crop, o.pricetype)][fc.month_index(o.day)] = float(o.price)
    return {k: v for k, v in series.items() if len(v) >= MIN_OBSERVATIONS}


def _prophet_job(job: tuple[list[date], np.ndarray, int]) -> np.ndarray:
    return fc.prophet_fit(*job)


class _ProphetCache:
    """Prophet fits computed up front on every core, then looked up by the panel."""

    def __init__(self) -> None:
        self.fits: dict[tuple[date, int, bytes], np.ndarray] = {}

    @staticmethod
    def key(days: list[date], logs: np.ndarray) -> tuple[date, int, bytes]:
        return days[-1], len(days), logs.tobytes()

    def __call__(self, days: list[date], logs: np.ndarray, horizon: int) -> np.ndarray:
        found = self.fits.get(self.key(days, logs))
        return found if found is not None else fc.prophet_fit(days, logs, horizon)

    def precompute(self, panel: fc.Panel, needed: dict[int, list[int]]) -> int:
        jobs = []
        for i, origins in needed.items():
            for t in origins:
                seen = np.flatnonzero(panel.observed[i, : t + 1])
                days = [fc.month_date(panel.start + int(s)) for s in seen]
                jobs.append((days, panel.cleaned[i, seen], panel.horizon))
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for (days, logs, _), forecast in zip(
                jobs, pool.map(_prophet_job, jobs, chunksize=8), strict=True
            ):
                self.fits[self.key(days, logs)] = forecast
        return len(jobs)


class Scores:
    def __init__(self) -> None:
        self.errors: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))

    def add(self, name: str, horizon: int, error: float) -> None:
        self.errors[name][horizon].append(error)

    def mape(self, name: str, horizon: int | None = None) -> float:
        if horizon is not None:
            values = self.errors[name][horizon]
            return float(np.mean(values)) if values else math.nan
        return float(np.mean([self.mape(name, h) for h in fc.HORIZONS]))

    def points(self, name: str) -> dict[str, int]:
        return {str(h): len(self.errors[name][h]) for h in fc.HORIZONS}


def run(include_prophet: bool = True, plots: bool = True) -> dict[str, Any]:
    started = time.monotonic()
    prophet = _ProphetCache() if include_prophet else None
    panel = fc.Panel(wfp_series(), SEED_MARKETS, prophet=prophet)
    evaluated = {i: [t for t in panel.origins(i)][-ORIGINS:] for i in range(len(panel.keys))}
    timings: dict[str, float] = {}
    prophet_fits = 0
    if prophet is not None:
        clock = time.monotonic()
        needed = {
            i: [t for t in panel.origins(i) if t >= origins[0] - fc.INNER_WINDOW]
            for i, origins in evaluated.items()
            if origins
        }
        prophet_fits = prophet.precompute(panel, needed)
        timings["prophet_fits"] = round(time.monotonic() - clock, 1)
    clock = time.monotonic()
    names = [n for n in REPORTED if n != "prophet" or prophet is not None]
    overall, overall_clean = Scores(), Scores()
    chosen: Counter[str] = Counter()
    series_reports = []
    for i in range(len(panel.keys)):
        scores = Scores()
        trace: list[tuple[int, float, float, float]] = []  # (target column, forecast, lower, upper)
        for t in evaluated[i]:
            served = panel.forecast(i, t)
            chosen[served.method] += 1
            forecasts = {name: panel.candidate(name, i, t) for name in names} | {SERVED: served.logs}
            for h in fc.HORIZONS:
                if t + h >= panel.width or not panel.observed[i, t + h]:
                    continue
                actual = math.exp(panel.logs[i, t + h])
                for name, values in forecasts.items():
                    error = abs(math.exp(values[h - 1]) - actual) / actual
                    scores.add(name, h, error)
                    overall.add(name, h, error)
                    if not panel.flags[i, t + h]:
                        overall_clean.add(name, h, error)
            price = math.exp(served.logs[0])
            trace.append((t + 1, price, price * (1 - served.band[0]), price * (1 + served.band[0])))
        series_reports.append(_series_report(panel, i, scores))
        if plots:
            _plot(panel, i, trace)
    timings["forecasts_and_selection"] = round(time.monotonic() - clock, 1)
    report = _report(overall, overall_clean, [SERVED, *names], series_reports)
    report["setup"] |= {
        "seconds": round(time.monotonic() - started, 1),
        "timings": timings,
        "prophet_fits": prophet_fits,
        "served_choices": dict(chosen.most_common()),
        "flagged_actuals": [
            f"{panel.keys[i].name} {fc.month_date(panel.start + int(t)).isoformat()[:7]}"
            for i in range(len(panel.keys))
            for t in np.flatnonzero(panel.flags[i])
            if evaluated[i] and t > evaluated[i][0]
        ],
    }
    return report


def _series_report(panel: fc.Panel, i: int, scores: Scores) -> dict[str, Any]:
    key, naive = panel.keys[i], scores.mape("naive")
    seen = np.flatnonzero(panel.observed[i])
    return {
        "series": key.name,
        "market": key.market,
        "crop": key.crop,
        "pricetype": key.kind,
        "months": len(seen),
        "first": fc.month_date(panel.start + int(seen[0])).isoformat(),
        "last": fc.month_date(panel.start + int(seen[-1])).isoformat(),
        "model_mape": round(scores.mape(SERVED), 4),
        "naive_mape": round(naive, 4),
        "seasonal_naive_mape": round(scores.mape("seasonal_naive"), 4),
        "ratio": round(scores.mape(SERVED) / naive, 3) if naive else None,
    }


def _summary(scores: Scores, names: list[str]) -> dict[str, Any]:
    naive = scores.mape("naive")
    return {
        "model_mape": round(scores.mape(SERVED), 4),
        "naive_mape": round(naive, 4),
        "seasonal_naive_mape": round(scores.mape("seasonal_naive"), 4),
        "ratio": round(scores.mape(SERVED) / naive, 3),
        "ratio_averaged_over_horizons": round(
            float(np.mean([scores.mape(SERVED, h) / scores.mape("naive", h) for h in fc.HORIZONS])), 3
        ),
        "by_horizon": {
            str(h): {
                "model_mape": round(scores.mape(SERVED, h), 4),
                "naive_mape": round(scores.mape("naive", h), 4),
                "seasonal_naive_mape": round(scores.mape("seasonal_naive", h), 4),
                "ratio": round(scores.mape(SERVED, h) / scores.mape("naive", h), 3),
                "points": len(scores.errors[SERVED][h]),
            }
            for h in fc.HORIZONS
        },
        "candidates": {
            name: {
                "label": LABELS[name],
                "mape": round(scores.mape(name), 4),
                "ratio_to_naive": round(scores.mape(name) / naive, 3),
                "by_horizon": {
                    str(h): round(scores.mape(name, h) / scores.mape("naive", h), 3) for h in fc.HORIZONS
                },
            }
            for name in names
        },
    }


def _report(
    overall: Scores, overall_clean: Scores, names: list[str], series: list[dict[str, Any]]
) -> dict[str, Any]:
    everything = _summary(overall, names)
    candidates = everything.pop("candidates")
    return {
        "overall": everything,
        "overall_excluding_flagged_actuals": {
            k: v for k, v in _summary(overall_clean, names).items() if k != "candidates"
        },
        "candidates": candidates,
        "series": series,
        "setup": {
            "origins": ORIGINS,
            "horizons_months": list(fc.HORIZONS),
            "series_count": len(series),
            "min_observations": MIN_OBSERVATIONS,
            "markets": list(SEED_MARKETS),
            "data": "WFP via HDX (CC BY-IGO 3.0), data/wfp/wfp_uganda_prices.csv",
        },
    }


def _plot(panel: fc.Panel, i: int, trace: list[tuple[int, float, float, float]]) -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    folder = REPORTS / "backtest"
    folder.mkdir(parents=True, exist_ok=True)
    figure, axis = plt.subplots(figsize=(8, 3.2))
    start = max(int(panel.first[i]), panel.width - 60)
    when = np.array([fc.month_date(panel.start + t) for t in range(panel.width)], dtype="datetime64[D]")
    prices = np.exp(panel.logs[i])
    axis.plot(when[start:], prices[start:], "k.-", ms=3, label="actual (UGX/kg)")
    kept = [row for row in trace if row[0] < panel.width]
    if kept:
        columns = [row[0] for row in kept]
        axis.fill_between(
            when[columns],
            [r[2] for r in kept],
            [r[3] for r in kept],
            color="tab:green",
            alpha=0.2,
            label="80% band",
        )
        axis.plot(
            when[columns], [r[1] for r in kept], "o-", ms=3, color="tab:green", label="1-month-ahead forecast"
        )
    axis.set_title(panel.keys[i].name)
    axis.legend(loc="best", fontsize=8)
    figure.tight_layout()
    figure.savefig(folder / f"{panel.keys[i].name}.png", dpi=80)
    plt.close(figure)


def markdown(report: dict[str, Any]) -> str:
    o, setup = report["overall"], report["setup"]
    x = report["overall_excluding_flagged_actuals"]
    lines = [
        "# Price forecast backtest (WFP Uganda, real data)",
        "",
        f"{setup['series_count']} series (seed markets, >= {setup['min_observations']} observations), last "
        f"{setup['origins']} observed months of each as origins, horizons 1-3 months; {setup['seconds']} s "
        f"({setup['prophet_fits']} Prophet fits). Data: WFP via HDX (CC BY-IGO 3.0).",
        "",
        f"**Served: MAPE {o['model_mape']:.2%} vs naive {o['naive_mape']:.2%} (h=1..3): ratio "
        f"{o['ratio']:.3f}** (the mean of the per-horizon ratios: {o['ratio_averaged_over_horizons']:.3f}; "
        f"seasonal naive "
        f"{o['seasonal_naive_mape']:.2%}). Leaving out the actuals the causal outlier rule flags "
        f"({', '.join(setup['flagged_actuals']) or 'none'}): ratio {x['ratio']:.3f}.",
        "",
        "| horizon | served | naive | seasonal naive | ratio | points |",
        "|---|---|---|---|---|---|",
    ]
    for h, row in o["by_horizon"].items():
        lines.append(
            f"| {h} | {row['model_mape']:.2%} | {row['naive_mape']:.2%} | "
            f"{row['seasonal_naive_mape']:.2%} | {row['ratio']:.3f} | {row['points']} |"
        )
    lines += [
        "",
        "Every candidate (ratios = MAPE / naive MAPE):",
        "",
        "| candidate | MAPE (h=1..3) | ratio | h1 | h2 | h3 |",
        "|---|---|---|---|---|---|",
    ]
    for row in sorted(report["candidates"].values(), key=lambda row: row["ratio_to_naive"]):
        hz = row["by_horizon"]
        lines.append(
            f"| {row['label']} | {row['mape']:.2%} | {row['ratio_to_naive']:.3f} "
            f"| {hz['1']} | {hz['2']} | {hz['3']} |"
        )
    choices = ", ".join(f"{k} {v}" for k, v in setup["served_choices"].items())
    lines += ["", f"What was served at the {sum(setup['served_choices'].values())} origins: {choices}.", ""]
    lines += ["| series | months | served MAPE | naive MAPE | ratio |", "|---|---|---|---|---|"]
    for s in report["series"]:
        lines.append(
            f"| {s['series']} | {s['months']} | {s['model_mape']:.2%} "
            f"| {s['naive_mape']:.2%} | {s['ratio']} |"
        )
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
