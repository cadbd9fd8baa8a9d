"""``make bench`` section 4: a worker's cold start (the first invocation on a new worker process)
against warm invocations, for every function of the in-process runtime."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from soko_local.bench.core import (
    MANY_FUNCTIONS,
    ROOT,
    Bench,
    BenchError,
    Figure,
    Section,
    fmt,
    median,
    ms_list,
    p95,
    progress,
    rss_mb,
    timed_invoke,
    worker_rss,
)

if TYPE_CHECKING:
    from soko_local.pool import InvokeResult
    from soko_local.runtime import LocalRuntime

COLD_START_RUNS = 3

WARM_RUNS = 20

EVENTS = ROOT / "events"


def _sample_event(logical_id: str) -> Any:
    """The function's sample event, ``events/<LogicalId>.json`` (tests/functional/test_sample_events.py
    checks that each handler accepts its own), so a traceback here is a real error."""
    path = EVENTS / f"{logical_id}.json"
    if not path.exists():
        raise BenchError(f"no sample event for {logical_id}: add events/{logical_id}.json")
    return json.loads(path.read_text())


def _seed_training_pair(runtime: LocalRuntime) -> None:
    """TrainPairFunction's sample trains Gulu maize: give the pair 30 months of prices (as the
    sample-event test does)."""
    client = runtime.client("dynamodb")
    table = runtime.deployment.physical["MlTable"]
    for month in range(30):
        day = f"{2023 + month // 12}-{month % 12 + 1:02d}-15"
        item = {"pk": "OBS#Gulu#maize_grain", "sk": f"{day}#wfp#retail", "date": day, "source": "wfp"}
        item |= {"pricetype": "retail", "status": "accepted"}
        client.put_item(
            TableName=table,
            Item={k: {"S": v} for k, v in item.items()} | {"price": {"N": str(1000 + 10 * month)}},
        )


SETUP: dict[str, Callable[[LocalRuntime], None]] = {"TrainPairFunction": _seed_training_pair}


def _cold_start_figures(runtime: LocalRuntime, logical_id: str, runs: int) -> list[Figure]:
    event = _sample_event(logical_id)
    setup = SETUP.get(logical_id)
    if setup is not None:
        setup(runtime)
    cold: list[tuple[float, InvokeResult]] = []
    for _ in range(runs):
        runtime.pool.code_changed()  # retire the warm workers: the next invocation starts a new one
        cold.append(timed_invoke(runtime, logical_id, event))
    warm = [timed_invoke(runtime, logical_id, event) for _ in range(WARM_RUNS)]
    cold_wall = [wall for wall, _ in cold]
    init = [result.init_ms or 0.0 for _, result in cold]
    first_run = [result.duration_ms for _, result in cold]
    spawn = [wall - i - d for wall, i, d in zip(cold_wall, init, first_run, strict=True)]
    outcome = "ok" if all(r.ok for _, r in cold + warm) else "errors (see log above)"
    return [
        Figure(
            f"{logical_id}: first invoke on a new worker",
            median(cold_wall),
            "ms",
            None,
            f"= spawn {median(spawn):.0f} + init {median(init):.0f} + first run "
            f"{median(first_run):.1f} ms"
            + (f" (medians of {runs}; runs {ms_list(cold_wall)})" if runs > 1 else ""),
        ),
        Figure(
            f"{logical_id}: warm invoke (median of {WARM_RUNS})",
            median([wall for wall, _ in warm]),
            "ms",
            None,
            f"p95 {p95([wall for wall, _ in warm]):.1f} ms; worker RSS "
            f"{fmt(worker_rss(logical_id), 'MB')}; invocations {outcome}",
        ),
    ]


def measure(bench: Bench) -> Section:
    runtime, start_s = bench.runtime, bench.start_s
    runs = COLD_START_RUNS if len(runtime.specs) <= MANY_FUNCTIONS else 1
    section = Section(
        f"4. Worker cold start: first invocation on a new worker (median of {runs}) vs warm (runtime.invoke)"
    )
    section.figures.append(Figure("in-process LocalRuntime.start() (moto, provision, serve)", start_s, "s"))
    for logical_id in sorted(runtime.specs):
        progress(f"worker cold start of {logical_id}")
        section.figures += _cold_start_figures(runtime, logical_id, runs)
    section.figures.append(Figure("RSS of this process (bench + runtime + moto)", rss_mb(os.getpid()), "MB"))
    section.notes += [
        "spawn = process start (spawn context: a fresh interpreter importing soko_local.worker) and "
        "pipe hand-shake; init = the handler import the worker reports (Lambda's Init phase): compare "
        "with section 3 (an init near its 'no .pyc at all' row means workers compile from source)",
        "every function is invoked with its own sample event (events/<LogicalId>.json: HTTP routes, "
        "authorizers, SQS batches, Step Functions tasks), so an error logged here is a real one; "
        "each cold start follows pool.code_changed()",
    ]
    return section
