"""Health logic: run each dependency check, time it, and summarise (no boto3 here)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, Protocol

from soko.health.models import Check, HealthConfig, HealthReport


class Probe(Protocol):
    def table(self, name: str) -> None: ...
    def bus(self, name: str) -> None: ...


def _timed(name: str, kind: Literal["dynamodb", "eventbridge"], check: Callable[[], None]) -> Check:
    started = time.perf_counter()
    try:
        check()
        error = None
    except Exception as err:  # a failed check is data in the report, not a crash
        error = type(err).__name__
    latency = round((time.perf_counter() - started) * 1000, 1)
    return Check(name=name, kind=kind, ok=error is None, latency_ms=latency, error=error)


def check_health(config: HealthConfig, probe: Probe) -> HealthReport:
    checks = [_timed(name, "dynamodb", lambda n=name: probe.table(n)) for name in config.tables]  # type: ignore[misc]
    checks.append(_timed(config.event_bus_name, "eventbridge", lambda: probe.bus(config.event_bus_name)))
    return HealthReport(
        status="ok" if all(c.ok for c in checks) else "degraded",
        version=config.app_version,
        stage=config.stage,
        time=datetime.now(UTC).replace(microsecond=0),
        checks=checks,
    )
