"""The local runtime started as `make dev` starts it, on free ports (end-to-end and fuzz suites)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 180  # generous: a fresh clone compiles everything on a busy 2-core machine
# The environment as the session found it (this module is imported while the tests are collected,
# before any runs): a runtime started later, after other tests of the same worker process, gets
# this and not what those tests may have left in os.environ.
SESSION_ENVIRONMENT = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


@dataclass
class RunningRuntime:
    endpoints: dict[str, Any]
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return str(self.endpoints["http_api"])

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoints["aws_endpoint"],
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_runtime(template: Path, workdir: Path, *extra: str) -> RunningRuntime:
    ready = workdir / "ready.json"
    log = workdir / "runtime.log"
    env = dict(SESSION_ENVIRONMENT)
    env["SOKO_E2E_SENTINEL"] = "must-not-reach-functions"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "soko_local",
            "dev",
            "--port",
            "0",
            "--template",
            str(template),
            "--ready-file",
            str(ready),
            *extra,
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"local runtime did not start:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.05)
    return RunningRuntime(json.loads(ready.read_text()), process, log)


def stop_runtime(runtime: RunningRuntime) -> None:
    runtime.process.send_signal(signal.SIGINT)
    try:
        runtime.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        runtime.process.kill()
        runtime.process.wait()


@contextmanager
def running(template: Path, workdir: Path, *extra: str) -> Iterator[RunningRuntime]:
    """The local runtime for ``template`` while the block runs."""
    runtime = start_runtime(template, workdir, *extra)
    try:
        yield runtime
    finally:
        stop_runtime(runtime)
