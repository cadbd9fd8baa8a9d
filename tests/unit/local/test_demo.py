"""`make dev`'s background training: progress read from the execution history, the summary line."""

from __future__ import annotations

import json
from typing import Any

from soko_local import demo


def _history(length: int | None, finished: int, failed_iterations: int = 0) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"type": "ExecutionStarted"}, {"type": "TaskSucceeded"}]
    if length is not None:
        events.append({"type": "MapStateStarted", "mapStateStartedEventDetails": {"length": length}})
        events += [{"type": "MapIterationStarted"}] * length
    events += [{"type": "MapIterationSucceeded"}] * finished
    events += [{"type": "MapIterationFailed"}] * failed_iterations
    return events


def test_progress_counts_finished_iterations_of_the_map() -> None:
    assert demo.progress(_history(None, 0)) == demo.Progress(total=None, done=0)
    assert demo.progress(_history(74, 0)) == demo.Progress(total=74, done=0)
    assert demo.progress(_history(74, 11, failed_iterations=1)) == demo.Progress(total=74, done=12)


def test_summary_names_the_failed_pairs() -> None:
    output = {
        "results": [
            {"result": {"market": "Gulu", "crop": "maize_grain", "method": "ENS"}},
            {"market": "Lira", "crop": "sorghum", "failed": True, "error": "Sandbox.Timedout"},
            {"result": {"market": "Mbale", "crop": "matoke", "method": "naive"}},
        ]
    }
    assert demo.summary(output) == (2, ["Lira/sorghum"])


class FakeSfn:
    """Step Functions as the watcher sees it: a run that lists 3 pairs, then finishes them."""

    def __init__(self) -> None:
        self.polls = 0
        self.started: dict[str, Any] = {}

    def start_execution(self, **kwargs: Any) -> dict[str, str]:
        self.started = kwargs
        return {"executionArn": "arn:execution"}

    def describe_execution(self, executionArn: str) -> dict[str, Any]:
        self.polls += 1
        if self.polls < 4:
            return {"status": "RUNNING"}
        results = [{"result": {"market": "Gulu", "crop": c}} for c in ("maize_grain", "sorghum")]
        results.append({"market": "Lira", "crop": "matoke", "failed": True})
        return {"status": "SUCCEEDED", "output": json.dumps({"results": results})}

    def get_paginator(self, name: str) -> Any:
        assert name == "get_execution_history"
        done = min(self.polls, 3)
        return type("P", (), {"paginate": lambda _self, **_: [{"events": _history(3, done)}]})()


def test_the_watcher_prints_progress_and_a_summary() -> None:
    said: list[str] = []
    training = demo.Training(FakeSfn(), "arn:sm", said.append, poll_seconds=0.01).start()
    training.thread.join(timeout=10)
    assert said[0].startswith("training forecasts in the background")
    assert said[1:-1] == [f"training forecasts: {n}/3 pairs" for n in (1, 2, 3)]
    assert said[-1].startswith("training forecasts: done, 2 of 3 pairs in ")
    assert said[-1].endswith("; failed: Lira/matoke")


def test_a_failed_run_is_one_line() -> None:
    class Failing(FakeSfn):
        def describe_execution(self, executionArn: str) -> dict[str, Any]:
            return {"status": "FAILED", "error": "States.Runtime", "cause": "boom"}

    said: list[str] = []
    demo.Training(Failing(), "arn:sm", said.append, poll_seconds=0.01).start().thread.join(timeout=10)
    assert said[-1].startswith("training forecasts: FAILED after ") and said[-1].endswith("States.Runtime")
