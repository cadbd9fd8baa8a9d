"""What ``make dev`` starts with, so a newcomer sees the product working in the first minute.

Once the runtime serves: the shipped WFP price series (``make ingest-wfp``) and the demo world
(``make seed``) are loaded side by side, through the same public functions those targets call; then
the forecasts train in the background on the template's own training state machine (the weekly
schedule's, ``make train``'s), with a progress line whenever a pair finishes. ``make dev EMPTY=1``
skips all of it; ``NO_TRAIN=1`` loads the data but does not train.

Until a pair's model lands, prices are served by the seasonal fallback from the latest real price,
so ``1*1*1`` on the USSD menu answers with a WFP-based price as soon as the runtime is up.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from soko_local.runtime import LocalRuntime

NEEDED_OUTPUTS = ("UsersTableName", "MlTableName")  # the tables the seed and the WFP loader fill
TRAINING_STATE_MACHINE = "TrainingStateMachine"
TRAINING_FUNCTIONS = ("ListPairsFunction", "TrainPairFunction")  # their workers run at a low priority
BACKGROUND_NICENESS = 10
POLL_SECONDS = 2.0

Say = Callable[[str], None]


class DemoError(RuntimeError):
    """Loading the start-up data failed (the message is one line, for the console)."""


def load(runtime: LocalRuntime, say: Say) -> None:
    """The shipped WFP prices and the demo world, loaded at the same time (seconds). A template
    without Soko's users and price tables (the runtime's own test application) gets nothing."""
    from soko_local import ml_tasks, seed  # noqa: PLC0415

    if not set(NEEDED_OUTPUTS) <= set(runtime.deployment.outputs):
        return

    port = urlsplit(runtime.base_url).port
    started = time.monotonic()
    say("loading the shipped WFP prices and the demo world ...")

    def wfp() -> None:  # ml_tasks prints its own line ("loaded N WFP observations into ...")
        if ml_tasks.main(["ingest-wfp", "--port", str(port)]) != 0:
            raise DemoError("loading the WFP prices failed")

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wfp") as pool:
        prices = pool.submit(wfp)
        try:
            world = seed.Seeder(runtime.base_url).run()
        except (RuntimeError, OSError) as err:
            raise DemoError(f"loading the demo world failed: {_one_line(err)}") from err
        try:
            prices.result()
        except DemoError:
            raise
        except (Exception, SystemExit) as err:
            raise DemoError(f"loading the WFP prices failed: {_one_line(err)}") from err
    say(f"seeded: {world}")
    say(f"start-up data loaded in {time.monotonic() - started:.1f} s")


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text[:300]}"


# ---------------------------------------------------------------------------- training progress
@dataclass(frozen=True)
class Progress:
    total: int | None  # pairs the run trains; None until the pairs are listed
    done: int  # pairs finished (trained, or failed and caught)


def progress(events: Iterable[dict[str, Any]]) -> Progress:
    """How far a training execution is, from its Step Functions history: the Map's length, and
    its finished iterations (a failing pair is caught inside its iteration, so it finishes too)."""
    total: int | None = None
    done = 0
    for event in events:
        kind = event.get("type")
        if kind == "MapStateStarted":
            total = int(event.get("mapStateStartedEventDetails", {}).get("length", 0))
        elif kind in ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
            done += 1
    return Progress(total, done)


def summary(output: dict[str, Any]) -> tuple[int, list[str]]:
    """(pairs trained, ``market/crop`` of the pairs that failed) from the execution's output."""
    trained, failed = 0, []
    for result in output.get("results", []):
        outcome = result.get("result", result) if isinstance(result, dict) else {}
        if outcome.get("failed"):
            failed.append(f"{outcome.get('market')}/{outcome.get('crop')}")
        else:
            trained += 1
    return trained, failed


def state_machine_arn(runtime: LocalRuntime) -> str | None:
    machines = runtime.deployment.state_machines
    if TRAINING_STATE_MACHINE in machines:
        return machines[TRAINING_STATE_MACHINE]
    # a nested stack may qualify the logical id
    return next((arn for lid, arn in machines.items() if lid.endswith(TRAINING_STATE_MACHINE)), None)


def lower_training_priority(seen: set[int]) -> None:
    """Renice the training functions' worker processes (the pool names them ``fn-<logical id>``),
    so 4 Prophet fits on a 2-core machine do not slow the API's answers: the scheduler gives a
    niceness-10 process about a tenth of a normal one's share when both want the CPU."""
    for process in multiprocessing.active_children():
        if process.pid is None or process.pid in seen or not process.name.endswith(TRAINING_FUNCTIONS):
            continue
        seen.add(process.pid)
        try:
            os.setpriority(os.PRIO_PROCESS, process.pid, BACKGROUND_NICENESS)
        except OSError:  # already gone, or a platform without it: training just runs at full speed
            continue


class Training:
    """One run of the training state machine, watched from a daemon thread."""

    def __init__(self, sfn: Any, state_machine: str, say: Say, poll_seconds: float = POLL_SECONDS):
        self.sfn, self.state_machine, self.say, self.poll_seconds = sfn, state_machine, say, poll_seconds
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="training-progress", daemon=True)

    def start(self) -> Training:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def _history(self, arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        for page in self.sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
            events.extend(page["events"])
        return events

    def _run(self) -> None:
        try:
            self._watch()
        except Exception as err:  # the runtime keeps serving: training is a bonus, not the product
            if not self.stopped.is_set():
                self.say(
                    f"training forecasts: stopped watching ({_one_line(err)}); `make train` runs it again"
                )

    def _watch(self) -> None:
        import json  # noqa: PLC0415

        started = time.monotonic()
        arn = self.sfn.start_execution(
            stateMachineArn=self.state_machine, name=f"make-dev-{int(time.time())}", input="{}"
        )["executionArn"]
        self.say("training forecasts in the background (prices are served from the data until then)")
        shown: Progress | None = None
        reniced: set[int] = set()
        while not self.stopped.wait(self.poll_seconds):
            lower_training_priority(reniced)
            status = self.sfn.describe_execution(executionArn=arn)
            now = progress(self._history(arn))
            if now.total is not None and now != shown:
                self.say(f"training forecasts: {now.done}/{now.total} pairs")
                shown = now
            if status["status"] == "RUNNING":
                continue
            seconds = time.monotonic() - started
            if status["status"] != "SUCCEEDED":
                cause = " ".join(str(status.get("error") or status.get("cause") or "").split())[:200]
                self.say(f"training forecasts: {status['status']} after {seconds:.0f} s {cause}".rstrip())
                return
            trained, failed = summary(json.loads(status.get("output") or "{}"))
            line = f"training forecasts: done, {trained} of {trained + len(failed)} pairs in {seconds:.0f} s"
            if failed:
                line += f"; failed: {', '.join(failed[:5])}{' ...' if len(failed) > 5 else ''}"
            self.say(line)
            return


def train_in_background(runtime: LocalRuntime, say: Say) -> Training | None:
    arn = state_machine_arn(runtime)
    if arn is None:
        return None
    return Training(runtime.client("stepfunctions"), arn, say).start()
