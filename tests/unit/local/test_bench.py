"""The bench package (soko_local.bench): one module per section, each registered once and in
order, sections importing only the shared core (no cycle), and the runner printing what it
measured in the sections' order, a failing section or runtime reported in its place."""

from __future__ import annotations

import ast
import contextlib
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import soko_local.bench
from soko_local.bench import __main__ as runner
from soko_local.bench import core, sections

PACKAGE = Path(soko_local.bench.__file__).parent
NOT_SECTIONS = {"__init__", "__main__", "core", "sections"}


def section_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE)]) if m.name not in NOT_SECTIONS)


def test_every_section_module_is_registered_once_with_its_number() -> None:
    modules = section_modules()
    assert modules == sorted(
        [
            "startup",
            "gateway",
            "imports",
            "cold_start",
            "identity",
            "market",
            "prices",
            "ussd",
            "matching",
            "alerts",
            "tracking",
            "transport",
            "lake",
            "metrics",
        ]
    )
    entries = [*sections.STANDALONE, *sections.IN_RUNTIME]
    registered = [importlib.import_module(e.measure.__module__).__name__.rpartition(".")[2] for e in entries]
    assert sorted(registered) == modules  # each module exactly once
    assert sections.numbers() == list(range(1, 15))
    assert all(e.measure.__name__ == "measure" for e in entries)
    by_number = {e.number: name for e, name in zip(entries, registered, strict=True)}
    assert by_number == {
        1: "startup",
        2: "gateway",
        3: "imports",
        4: "cold_start",
        5: "identity",
        6: "market",
        7: "prices",
        8: "ussd",
        9: "matching",
        10: "alerts",
        11: "tracking",
        12: "transport",
        13: "lake",
        14: "metrics",
    }


def test_the_runtime_sections_run_cold_starts_first_and_the_big_loads_late() -> None:
    order = [e.number for e in sections.IN_RUNTIME]
    assert order == [4, 2, 5, 8, 6, 7, 9, 12]  # 4 while every worker is cold; 6 leaves 10,000 listings
    assert [e.number for e in sections.STANDALONE] == [1, 3, 10, 11, 13, 14]


@pytest.mark.parametrize("module", section_modules())
def test_sections_import_only_the_core_from_the_bench(module: str) -> None:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("soko_local")
    }
    imported |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("soko_local")
    }
    assert {name for name in imported if name.startswith("soko_local.bench")} <= {"soko_local.bench.core"}


def test_the_core_imports_no_section() -> None:
    tree = ast.parse((PACKAGE / "core.py").read_text())
    assert not [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("soko_local.bench")
    ]


def fake_section(number: int, calls: list[int], *, fails: bool = False) -> Any:
    def measure(*_: Any) -> core.Section:
        calls.append(number)
        if fails:
            raise RuntimeError(f"section {number} broke")
        return core.Section(f"{number}. fake", [core.Figure("x", float(number), "ms")])

    return measure


@pytest.fixture
def fake_registry(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(
        sections,
        "STANDALONE",
        (
            sections.Entry(1, "one", fake_section(1, calls)),
            sections.Entry(3, "three", fake_section(3, calls)),
        ),
    )
    monkeypatch.setattr(
        sections,
        "IN_RUNTIME",
        (
            sections.Entry(4, "four", fake_section(4, calls)),
            sections.Entry(2, "two", fake_section(2, calls, fails=True)),
        ),
    )

    @contextlib.contextmanager
    def no_runtime() -> Iterator[Any]:
        yield object()

    monkeypatch.setattr(runner, "running_runtime", no_runtime)
    return calls


def test_the_runner_prints_in_number_order_and_a_failure_in_its_place(fake_registry: list[int]) -> None:
    measured = runner.measure({1, 2, 3, 4})
    assert fake_registry == [1, 3, 4, 2]  # standalone first, then the runtime's in their order
    assert [s.title for s in measured] == ["1. fake", "2. two", "3. fake", "4. fake"]
    assert measured[1].notes == ["ERROR RuntimeError: section 2 broke"]
    assert runner.measure({3}) and fake_registry[-1] == 3


def test_a_runtime_that_does_not_start_is_one_section(
    fake_registry: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextlib.contextmanager
    def broken() -> Iterator[Any]:
        raise OSError("no port")
        yield  # pragma: no cover

    monkeypatch.setattr(runner, "running_runtime", broken)
    measured = runner.measure({1, 2, 3, 4})
    assert [s.title for s in measured] == ["1. fake", "2./4. The in-process runtime", "3. fake"]
    assert measured[1].notes == ["ERROR OSError: no port"]


def test_only_takes_known_section_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        runner.main(["--only", "2,15"])
    assert "sections are [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]" in capsys.readouterr().err
