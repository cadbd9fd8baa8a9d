"""The last training run, for admins: the latest execution of the training state machine and its
summary (pairs listed, trained, failed; statemachines/training.asl.json's output)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from soko.ml.models import TrainingFailure, TrainingRun
from soko.shared import clock
from soko.shared.identity import Caller

MAX_FAILURES = 20


class Runs(Protocol):
    def latest(self) -> dict[str, Any] | None: ...


def _when(value: object) -> str | None:
    return clock.iso(value) if isinstance(value, datetime) else None


def last_run(caller: Caller, runs: Runs) -> TrainingRun:
    caller.require("admin")
    latest = runs.latest()
    if latest is None:
        return TrainingRun(status="NONE")
    run = TrainingRun(
        status=str(latest["status"]),
        execution_id=str(latest["executionArn"]),
        started_at=_when(latest.get("startDate")),
        stopped_at=_when(latest.get("stopDate")),
        error=" ".join(str(latest[k]) for k in ("error", "cause") if latest.get(k)) or None,
    )
    try:
        output = json.loads(latest.get("output") or "null")
    except ValueError:
        output = None
    if isinstance(output, dict):
        pairs, results = output.get("pairs"), output.get("results")
        if isinstance(pairs, list):
            run.pairs = len(pairs)
        if isinstance(results, list):
            failed = [r for r in results if isinstance(r, dict) and r.get("failed")]
            run.failed = len(failed)
            run.trained = len(results) - len(failed)
            run.failures = [
                TrainingFailure(
                    market=str(r.get("market", "")),
                    crop=str(r.get("crop", "")),
                    error=str(r.get("error", "")),
                )
                for r in failed[:MAX_FAILURES]
            ]
    return run
