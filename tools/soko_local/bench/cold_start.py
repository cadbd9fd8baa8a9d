"""``make bench`` section 4: a worker's cold start (the first invocation on a new worker process)
against warm invocations, for every function of the in-process runtime."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from soko_local.bench.core import (
    MANY_FUNCTIONS,
    Bench,
    Figure,
    Section,
    concrete_path,
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
    from soko_local.template import HttpApiDef

COLD_START_RUNS = 3

WARM_RUNS = 20


def _api_event(runtime: LocalRuntime, api: HttpApiDef, logical_id: str) -> dict[str, Any] | None:
    from soko_local.payload import IncomingRequest, authorizer_event, http_event  # noqa: PLC0415

    host = runtime.base_url.removeprefix("http://")
    for method, path, function, _ in api.routes:
        if function == logical_id:
            concrete, params = concrete_path(path)
            verb = "GET" if method == "ANY" else method
            request = IncomingRequest(verb, concrete, "", [("host", host)], b"", "127.0.0.1", host)
            route_key = "$default" if path == "$default" else f"{method} {path}"
            return http_event(
                request,
                route_key=route_key,
                path_parameters=params,
                api_id=api.logical_id.lower(),
                account_id=runtime.account_id,
            )
    if any(a.function == logical_id for a in api.authorizers.values()):
        request = IncomingRequest("GET", "/", "", [("host", host)], b"", "127.0.0.1", host)
        return authorizer_event(
            request,
            route_key="GET /",
            path_parameters={},
            api_id=api.logical_id.lower(),
            account_id=runtime.account_id,
            region=runtime.region,
            identity_source=[],  # no token: the authorizer denies without touching AWS
        )
    return None


def _sample_event(runtime: LocalRuntime, logical_id: str) -> Any:
    """An event of the kind the function receives (HTTP route, authorizer, SQS batch)."""
    for api in runtime.app.http_apis:
        event = _api_event(runtime, api, logical_id)
        if event is not None:
            return event
    if any(source.function == logical_id for source in runtime.app.event_sources):
        return {"Records": []}
    return {}


def _cold_start_figures(runtime: LocalRuntime, logical_id: str, runs: int) -> list[Figure]:
    event = _sample_event(runtime, logical_id)
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
        "HTTP functions get a payload-2.0 event for their route; the authorizer an event without a "
        "token (it denies without calling AWS); each cold start follows pool.code_changed()",
    ]
    return section
