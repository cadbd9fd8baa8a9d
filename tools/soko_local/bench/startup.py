"""``make bench`` section 1: start-up of ``python -m soko_local dev`` (spawned, as a developer runs it) to
the first 200 from ``GET /health``, its shutdown on Ctrl-C, and the memory of the runtime and its workers."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from soko_local.bench.core import (
    ROOT,
    BenchError,
    Figure,
    Section,
    median,
    progress,
    rss_mb,
)

if TYPE_CHECKING:
    pass

STARTUP_RUNS = 3

STARTUP_TARGET_S = 10.0

STARTUP_TIMEOUT_S = 60.0

POLL_SECONDS = 0.005


def _spawned_children(pid: int) -> list[int]:
    """Pids of the multiprocessing (spawn) workers whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def _stop_process(process: subprocess.Popen[bytes]) -> tuple[float, str]:
    """Ctrl-C (SIGINT), as a developer stops ``make dev``; escalate if it does not exit."""
    if process.poll() is not None:
        return 0.0, f"had already exited ({process.returncode})"
    started = time.perf_counter()
    how = "SIGINT"
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        how = "SIGTERM (SIGINT ignored for 15 s)"
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            how = "SIGKILL (SIGINT and SIGTERM ignored)"
            process.kill()
            process.wait()
    return time.perf_counter() - started, f"{how}, exit status {process.returncode}"


@dataclass
class _StartRun:
    ready_s: float  # spawn -> ready file written (runtime serving)
    healthy_s: float  # spawn -> first 200 from GET /health (includes the function's cold start)
    shutdown_s: float
    stopped: str
    runtime_rss_mb: float | None
    worker_rss_mb: list[float]


def _log_tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def _wait_ready_file(process: subprocess.Popen[bytes], ready: Path, log: Path, deadline: float) -> str:
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise BenchError(f"`soko_local dev` exited with {process.returncode}:\n{_log_tail(log)}")
        if ready.exists():
            with contextlib.suppress(ValueError, KeyError):  # still being written
                return str(json.loads(ready.read_text())["http_api"])
        time.sleep(POLL_SECONDS)
    raise BenchError(f"no ready file after {STARTUP_TIMEOUT_S:.0f} s:\n{_log_tail(log)}")


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path, deadline: float) -> None:
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise BenchError(f"`soko_local dev` exited with {process.returncode}:\n{_log_tail(log)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=10).status_code == 200:
                return
        time.sleep(POLL_SECONDS)
    raise BenchError(f"GET {url} never returned 200:\n{_log_tail(log)}")


def _start_once(workdir: Path, run: int) -> _StartRun:
    ready, log_path = workdir / f"endpoints-{run}.json", workdir / f"dev-{run}.log"
    args = ["dev", "--port", "0", "--ready-file", str(ready), "--no-watch", "--empty"]  # the runtime alone
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "soko_local", *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = started + STARTUP_TIMEOUT_S
            base_url = _wait_ready_file(process, ready, log_path, deadline)
            ready_s = time.perf_counter() - started
            _wait_healthy(process, f"{base_url}/health", log_path, deadline)
            healthy_s = time.perf_counter() - started
            runtime_rss = rss_mb(process.pid)
            workers = [rss for pid in _spawned_children(process.pid) if (rss := rss_mb(pid)) is not None]
        finally:
            shutdown_s, stopped = _stop_process(process)
    return _StartRun(ready_s, healthy_s, shutdown_s, stopped, runtime_rss, workers)


def measure() -> Section:
    section = Section(
        "1. Start-up: spawn `python -m soko_local dev --port 0 --no-watch --empty` -> first 200 /health"
    )
    with tempfile.TemporaryDirectory(prefix="soko-bench-") as tmp:
        runs = []
        for run in range(STARTUP_RUNS):
            progress(f"start-up run {run + 1}/{STARTUP_RUNS}")
            runs.append(_start_once(Path(tmp), run))
    healthy = [r.healthy_s for r in runs]
    last = runs[-1]
    section.figures += [
        Figure(
            f"spawn -> first 200 GET /health (median of {len(runs)})",
            median(healthy),
            "s",
            STARTUP_TARGET_S,
            "runs " + ", ".join(f"{v:.2f}" for v in healthy) + " s",
        ),
        Figure("spawn -> serving (ready file written)", median([r.ready_s for r in runs]), "s"),
        Figure(
            "serving -> first 200 (HealthFunction's cold start)",
            median([(r.healthy_s - r.ready_s) * 1000 for r in runs]),
            "ms",
        ),
        Figure(
            "shutdown after Ctrl-C (SIGINT)", median([r.shutdown_s for r in runs]), "s", None, last.stopped
        ),
        Figure("RSS of the runtime process (moto + gateway)", last.runtime_rss_mb, "MB"),
        Figure(
            "RSS of its workers after /health",
            sum(last.worker_rss_mb) if last.worker_rss_mb else None,
            "MB",
            None,
            f"{len(last.worker_rss_mb)} worker process(es)",
        ),
    ]
    section.notes.append(
        "'serving' is when the runtime writes --ready-file; the first 200 then needs HealthFunction's "
        "cold start (worker spawn, handler import, first DynamoDB/EventBridge calls to moto)"
    )
    return section
