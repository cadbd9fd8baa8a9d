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
    """The real application: template.yaml, as `make dev` runs it."""
    with running(ROOT / "template.yaml", tmp_path_factory.mktemp("soko"), "--no-watch") as runtime:
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
