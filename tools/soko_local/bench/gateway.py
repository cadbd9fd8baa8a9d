"""``make bench`` section 2: the local gateway's overhead per request (an HTTP round trip minus the
function's own invocation), in the bench's in-process runtime."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import requests
from requests.adapters import HTTPAdapter

from soko_local.bench.core import (
    GATEWAY_WARMUP,
    Bench,
    BenchError,
    Figure,
    InvokeLog,
    Section,
    median,
    ms_since,
    p95,
    progress,
    timed_invoke,
)

if TYPE_CHECKING:
    from soko_local.runtime import LocalRuntime

GATEWAY_REQUESTS = 200

GATEWAY_TARGET_MS = 5.0


@dataclass
class _GatewaySamples:
    http_ms: list[float] = field(default_factory=list)
    direct_ms: list[float] = field(default_factory=list)
    paired_ms: list[float] = field(default_factory=list)  # round trip - the gateway's own invoke
    not_found_ms: list[float] = field(default_factory=list)


def _get(session: requests.Session, url: str, status: int) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=10)
    elapsed = ms_since(started)
    if response.status_code != status:
        raise BenchError(f"GET {url} returned {response.status_code}, expected {status}")
    return elapsed


def _connections_opened(session: requests.Session, url: str) -> int | None:
    """TCP connections the session's pools have opened (1 for any number of requests: keep-alive)."""
    adapter = session.get_adapter(url)
    if not isinstance(adapter, HTTPAdapter):
        return None
    pools = adapter.poolmanager.pools  # a RecentlyUsedContainer: .keys() works, iterating it raises
    return sum(int(pools[key].num_connections) for key in pools.keys())  # noqa: SIM118


def _sample_gateway(runtime: LocalRuntime, log: InvokeLog, session: requests.Session) -> _GatewaySamples:
    health, nope = f"{runtime.base_url}/health", f"{runtime.base_url}/nope"
    for _ in range(GATEWAY_WARMUP):
        _get(session, health, 200)
        _get(session, nope, 404)
    event = log.last_event["HealthFunction"]  # exactly what the gateway sends
    samples = _GatewaySamples()
    for _ in range(GATEWAY_REQUESTS):  # interleaved, so drift (moto's tables growing...) hits both
        log.calls.clear()
        round_trip = _get(session, health, 200)
        samples.http_ms.append(round_trip)
        inside = next(ms for logical_id, ms in reversed(log.calls) if logical_id == "HealthFunction")
        samples.paired_ms.append(round_trip - inside)
        samples.direct_ms.append(timed_invoke(runtime, "HealthFunction", event)[0])
    samples.not_found_ms = [_get(session, nope, 404) for _ in range(GATEWAY_REQUESTS)]
    return samples


def measure(bench: Bench) -> Section:
    runtime, log = bench.runtime, bench.log
    section = Section(f"2. Local gateway overhead per request (GET /health, N={GATEWAY_REQUESTS}, warm)")
    progress(f"gateway overhead ({GATEWAY_REQUESTS} x 3 requests)")
    with requests.Session() as session:
        samples = _sample_gateway(runtime, log, session)
        connections = _connections_opened(session, runtime.base_url)
    http, direct = median(samples.http_ms), median(samples.direct_ms)
    section.figures += [
        Figure("GET /health round trip over HTTP", http, "ms", None, f"p95 {p95(samples.http_ms):.1f} ms"),
        Figure(
            "runtime.invoke('HealthFunction') direct, same event",
            direct,
            "ms",
            None,
            f"p95 {p95(samples.direct_ms):.1f} ms",
        ),
        Figure("overhead: difference of the medians", http - direct, "ms", GATEWAY_TARGET_MS),
        Figure(
            "overhead: per request, round trip - its invoke",
            median(samples.paired_ms),
            "ms",
            GATEWAY_TARGET_MS,
            f"p95 {p95(samples.paired_ms):.1f} ms",
        ),
        Figure(
            "GET /nope -> 404 (no function: fixed cost)",
            median(samples.not_found_ms),
            "ms",
            GATEWAY_TARGET_MS,
            f"p95 {p95(samples.not_found_ms):.1f} ms",
        ),
    ]
    total = GATEWAY_WARMUP * 2 + GATEWAY_REQUESTS * 2
    keep_alive = (
        "keep-alive in effect (werkzeug's threaded server speaks HTTP/1.1)"
        if connections == 1
        else "keep-alive not in effect: each request pays a TCP connect"
    )
    section.notes += [
        f"one requests.Session: {connections} TCP connection(s) for {total} requests, {keep_alive}",
        "'per request' subtracts the invoke the gateway itself made for that request (timed inside "
        "the runtime); 'difference of the medians' compares with a direct invoke made right after",
        "client, gateway, moto and bench share one process (and GIL): the overhead includes the "
        "requests client's own cost; the handler's own work (its calls to moto) is in both timings",
    ]
    return section
