"""End-to-end fixtures: the local runtime started as `make dev` starts it, on free ports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_APP = Path(__file__).parent / "runtime_app"
START_TIMEOUT_SECONDS = 180  # generous: a fresh clone compiles everything on a busy 2-core machine


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


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
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
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


@pytest.fixture(scope="session")
def soko(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    """The real application: template.yaml, as `make dev EMPTY=1` runs it (no start-up data, so
    each test builds the world it asserts on)."""
    runtime = start_runtime(ROOT / "template.yaml", tmp_path_factory.mktemp("soko"), "--no-watch", "--empty")
    yield runtime
    stop_runtime(runtime)


@pytest.fixture(scope="module")
def soko_first_minute(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    """The real application as a plain `make dev` starts it: the shipped WFP prices and the demo
    world loaded before it reports ready; only the background training is left out (minutes)."""
    workdir = tmp_path_factory.mktemp("soko_first_minute")
    runtime = start_runtime(ROOT / "template.yaml", workdir, "--no-watch", "--no-train")
    yield runtime
    stop_runtime(runtime)


@pytest.fixture(scope="module")
def runtime_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningRuntime, Path]]:
    """The runtime's own test application, copied so tests may edit its code."""
    workdir = tmp_path_factory.mktemp("runtime_app")
    app_dir = workdir / "app"
    shutil.copytree(RUNTIME_APP, app_dir)
    runtime = start_runtime(app_dir / "template.yaml", workdir)
    yield runtime, app_dir
    stop_runtime(runtime)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
