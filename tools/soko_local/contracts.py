"""Event contracts as JSON Schema: ``docs/events/<source>.<DetailType>.v<N>.json``.

Every ``EventDetail`` subclass with a ``DETAIL_TYPE`` in a ``soko.<domain>.events`` module is a
published contract. ``python -m soko_local.contracts --write`` regenerates the schemas (``make
schemas``); ``--check`` fails when they are stale (the contract test does the same).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path
from typing import Any

import soko
from soko.shared.events import EventDetail

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "docs" / "events"


def contracts() -> list[type[EventDetail]]:
    for module in pkgutil.walk_packages(soko.__path__, "soko."):
        if module.name.endswith(".events") and module.name != "soko.shared.events":
            importlib.import_module(module.name)
    found: list[type[EventDetail]] = []
    pending = list(EventDetail.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "DETAIL_TYPE" in cls.__dict__ and cls.__module__.startswith("soko."):
            found.append(cls)
    return sorted(found, key=lambda c: (c.SOURCE, c.DETAIL_TYPE))


def _version(contract: type[EventDetail]) -> int:
    return int(contract.model_fields["schema_version"].default)


def schemas() -> dict[str, dict[str, Any]]:
    documents = {}
    for contract in contracts():
        schema = contract.model_json_schema(mode="serialization")
        schema["title"] = contract.DETAIL_TYPE
        schema["x-source"] = contract.SOURCE
        schema["x-detail-type"] = contract.DETAIL_TYPE
        schema["description"] = (
            contract.__doc__ or ""
        ).strip() or f"{contract.DETAIL_TYPE} ({contract.SOURCE})"
        documents[f"{contract.SOURCE}.{contract.DETAIL_TYPE}.v{_version(contract)}.json"] = schema
    return documents


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    wanted = {name: render(schema) for name, schema in schemas().items()}
    existing = {p.name: p.read_text() for p in FOLDER.glob("*.json")} if FOLDER.exists() else {}
    if args.write:
        FOLDER.mkdir(parents=True, exist_ok=True)
        for name in set(existing) - set(wanted):
            (FOLDER / name).unlink()
        for name, text in wanted.items():
            (FOLDER / name).write_text(text)
        print(f"wrote {len(wanted)} event schemas to {FOLDER.relative_to(ROOT)}")
        return 0
    if existing != wanted:
        print("docs/events is stale: run `make schemas`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
