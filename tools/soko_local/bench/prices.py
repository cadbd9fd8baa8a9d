"""``make bench`` section 7: the price layer on the real WFP series, in the bench's local runtime.

POST /ml/price/predict through the gateway (the seasonal fallback before any model, then the
trained models; first answers and cached ones), the training state machine over every trainable
pair, and what the Prophet candidate adds to one pair's training.
"""

from __future__ import annotations

import json
import random
import time
from typing import TYPE_CHECKING, Any

import requests

from soko_local.bench.core import (
    Bench,
    Figure,
    Section,
    aws_of,
    median,
    ms_since,
    p95,
    progress,
)

if TYPE_CHECKING:
    from soko_local.runtime import LocalRuntime

PREDICTS = 60

TRAINING_TIMEOUT_S = 1800

PROPHET_PAIR = ("Kisenyi_Kampala", "maize_grain")


def _predicts(
    session: requests.Session, url: str, pairs: list[tuple[str, str]], source: str
) -> tuple[list[float], list[float]]:
    """Each pair asked twice: the first answer is computed (and cached), the second read from the cache."""
    first: list[float] = []
    cached: list[float] = []
    for market, crop in pairs:
        for into in (first, cached):
            started = time.perf_counter()
            response = session.post(url, json={"market": market, "crop": crop, "weeks_ahead": 4}, timeout=30)
            into.append(ms_since(started))
            if response.status_code != 200 or response.json()["source"] != source:
                raise RuntimeError(f"predict {market}/{crop}: {response.status_code} {response.text[:200]}")
    return first, cached


def _train_all(runtime: LocalRuntime) -> tuple[float, list[dict[str, Any]]]:
    sfn = runtime.client("stepfunctions")
    machine = runtime.endpoints()["state_machines"]["TrainingStateMachine"]
    started = time.perf_counter()
    arn = sfn.start_execution(stateMachineArn=machine, name=f"bench-{int(time.time())}", input="{}")[
        "executionArn"
    ]
    while (run := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        if time.perf_counter() - started > TRAINING_TIMEOUT_S:
            raise RuntimeError("training did not finish in time")
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    if run["status"] != "SUCCEEDED":
        raise RuntimeError(f"training {run['status']}")
    return elapsed, list(json.loads(run["output"])["results"])


def _prophet_cost(table: str) -> tuple[float, float]:
    from soko.ml import trainer  # noqa: PLC0415
    from soko.ml.dal import MlDal  # noqa: PLC0415

    panel = trainer.collect(MlDal(table))
    timings = []
    for prophet in (False, True):
        started = time.perf_counter()
        trainer.train_pair(*PROPHET_PAIR, panel, prophet=prophet)
        timings.append(time.perf_counter() - started)
    return timings[0], timings[1]


def measure(bench: Bench) -> Section:
    from soko.ml.markets import MARKETS  # noqa: PLC0415
    from soko_tools.wfp import load_wfp, read_wfp  # noqa: PLC0415

    runtime, log = bench.runtime, bench.log

    section = Section("7. Price layer on the real WFP series (predict p50/p95 through the gateway, training)")
    table = runtime.deployment.physical["MlTable"]
    url = f"{runtime.base_url}/ml/price/predict"
    rng = random.Random(2026)  # noqa: S311  (a sample, not a secret)
    seed = {m.id for m in MARKETS if m.seed}
    with_data = sorted({(o.market, o.crop) for o in read_wfp() if o.market in seed})
    with aws_of(runtime), requests.Session() as session:
        progress("loading the WFP series into MlTable")
        started = time.perf_counter()
        loaded = load_wfp(table)
        ingest_s = time.perf_counter() - started
        pairs = rng.sample(with_data, k=min(PREDICTS // 2, len(with_data)))
        fallback_first, fallback_cached = _predicts(session, url, pairs, "seasonal_fallback")
        progress("training every pair with the state machine")
        calls_before = len(log.calls)
        train_s, results = _train_all(runtime)
        per_pair = [ms for name, ms in log.calls[calls_before:] if name == "TrainPairFunction"]
        trained = {(r["result"]["market"], r["result"]["crop"]) for r in results if "result" in r}
        failed = [r for r in results if r.get("failed")]
        model_pairs = [p for p in pairs if p in trained]
        model_first, model_cached = _predicts(session, url, model_pairs, "model")
        progress(f"one pair ({'/'.join(PROPHET_PAIR)}) with and without the Prophet candidate")
        without, with_prophet = _prophet_cost(table)
    section.figures += [
        Figure("predict, seasonal fallback, first answer p50", median(fallback_first), "ms"),
        Figure("predict, seasonal fallback, first answer p95", p95(fallback_first), "ms"),
        Figure("predict, trained model, first answer p50", median(model_first), "ms"),
        Figure("predict, trained model, first answer p95", p95(model_first), "ms"),
        Figure("predict, cached answer p50", median(fallback_cached + model_cached), "ms"),
        Figure("predict, cached answer p95", p95(fallback_cached + model_cached), "ms"),
        Figure(f"training state machine, all {len(results)} pairs (Map concurrency 4)", train_s, "s"),
        Figure(
            "one pair's training task (p50 of the run)", median(per_pair) / 1000 if per_pair else None, "s"
        ),
        Figure("one pair's training task (p95 of the run)", p95(per_pair) / 1000 if per_pair else None, "s"),
        Figure(f"one pair in-process, Prophet candidate off ({'/'.join(PROPHET_PAIR)})", without, "s"),
        Figure("the same pair with the Prophet candidate (fits at 36 inner origins)", with_prophet, "s"),
    ]
    prophet_on = runtime.parameters.get("ProphetCandidate", "true") == "true"
    section.notes += [
        f"{loaded:,} WFP observations loaded in {ingest_s:.1f} s; {len(pairs)} (market, crop) pairs asked, "
        f"each twice (the second answer comes from the 24 h cache); {len(model_pairs)} of them had a model "
        "after training",
        f"the run trained {len(trained)} pairs; {len(failed)} failed and were caught and reported by the "
        f"state machine ({', '.join(sorted({str(r.get('error')) for r in failed})) or 'none'}); the Prophet "
        f"candidate was {'on' if prophet_on else 'off'} "
        "(template parameter ProphetCandidate)",
        "the training tasks run on the runtime's workers, as Lambda would run them, on this machine's "
        "cores; each task rebuilds every series' features for the pooled model, Prophet adds its fits",
    ]
    return section
