"""layers/training/requirements.txt is the TrainingLayer's whole runtime closure: the layer's
Makefile installs it with --no-deps, so a dependency missing from the list would be missing in
Lambda. Checked against the metadata of the packages installed here (the same pins)."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
REQUIREMENTS = ROOT / "layers" / "training" / "requirements.txt"
LEFT_OUT = {"matplotlib"}  # prophet's plotting helpers only: never imported by a fit
LAMBDA = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "python_version": "3.13"}


def pins() -> dict[str, str]:
    found = {}
    for raw in REQUIREMENTS.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            found[canonicalize_name(name)] = version
    return found


def runtime_dependencies(name: str) -> set[str]:
    needed = set()
    for text in importlib.metadata.requires(name) or []:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({**LAMBDA, "extra": ""}):
            needed.add(canonicalize_name(requirement.name))
    return needed


def test_the_list_is_closed_and_pinned_as_installed() -> None:
    listed = pins()
    assert {"numpy", "pandas", "prophet"} <= set(listed)
    for name, version in listed.items():
        assert importlib.metadata.version(name) == version, name
        missing = runtime_dependencies(name) - set(listed) - LEFT_OUT
        assert not missing, f"{name} needs {sorted(missing)}: add them to {REQUIREMENTS.name}"


def test_matplotlib_stays_out_of_the_layer() -> None:
    assert not LEFT_OUT & set(pins())
    assert "matplotlib" in runtime_dependencies("prophet")  # what the --no-deps install leaves out
    makefile = (ROOT / "layers" / "training" / "Makefile").read_text()
    assert re.search(r"--no-deps", makefile) and "matplotlib got into the layer" in makefile
