"""End-to-end fixtures: the local runtime started as `make dev` starts it, on free ports."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from support.runtime import ROOT, RunningRuntime, running

__all__ = ["ROOT", "RunningRuntime"]  # the suites' tests import these from here

RUNTIME_APP = Path(__file__).parent / "runtime_app"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def soko(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    """The real application: template.yaml, as `make dev EMPTY=1` runs it (no start-up data, so
    each test builds the world it asserts on)."""
    with running(ROOT / "template.yaml", tmp_path_factory.mktemp("soko"), "--no-watch", "--empty") as runtime:
        yield runtime


@pytest.fixture(scope="module")
def soko_first_minute(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    """The real application as a plain `make dev` starts it: the shipped WFP prices and the demo
    world loaded before it reports ready; only the background training is left out (minutes)."""
    workdir = tmp_path_factory.mktemp("soko_first_minute")
    with running(ROOT / "template.yaml", workdir, "--no-watch", "--no-train") as runtime:
        yield runtime


@pytest.fixture(scope="module")
def runtime_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningRuntime, Path]]:
    """The runtime's own test application, copied so tests may edit its code."""
    workdir = tmp_path_factory.mktemp("runtime_app")
    app_dir = workdir / "app"
    shutil.copytree(RUNTIME_APP, app_dir)
    with running(app_dir / "template.yaml", workdir) as runtime:
        yield runtime, app_dir


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
