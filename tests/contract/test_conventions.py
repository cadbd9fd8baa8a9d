"""The machine-readable documents agree with docs/conventions.md on quantities: decimal strings in
every response and event, a number or a string in requests (one documented exception)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = json.loads((ROOT / "docs" / "openapi.json").read_text())
SCHEMAS: dict[str, Any] = OPENAPI["components"]["schemas"]
QUANTITY = re.compile(r"(^|_)quantity_kg$")
# Estimates, not stock: POST /location/route takes a number only, and CoverageGap repeats it.
NUMBER_ONLY_REQUESTS = {"RouteRequest"}
NUMBER_ONLY_EVENTS = {"soko.ml.CoverageGap"}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for key, value in node.items() if key != "$ref"))
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node))
    return set()


def _closure(names: set[str]) -> set[str]:
    seen: set[str] = set()
    pending = set(names)
    while pending:
        name = pending.pop()
        if name in seen or name not in SCHEMAS:
            continue
        seen.add(name)
        pending |= _refs(SCHEMAS[name])
    return seen


def _types(schema: dict[str, Any]) -> set[str]:
    if "anyOf" in schema or "oneOf" in schema:
        return set().union(*(_types(s) for s in schema.get("anyOf", schema.get("oneOf", []))))
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else set()


def _operations() -> list[dict[str, Any]]:
    return [op for ops in OPENAPI["paths"].values() for op in ops.values() if isinstance(op, dict)]


def _quantities(names: set[str]) -> dict[str, set[str]]:
    return {
        f"{name}.{field}": _types(schema) - {"null"}
        for name in sorted(names)
        for field, schema in (SCHEMAS[name].get("properties") or {}).items()
        if QUANTITY.search(field)
    }


def test_responses_carry_quantities_as_decimal_strings() -> None:
    responses = _closure(set().union(*(_refs(op.get("responses", {})) for op in _operations())))
    found = _quantities(responses)
    assert {"Listing.quantity_kg", "Order.quantity_kg"} <= set(found)
    assert {field: kinds for field, kinds in found.items() if kinds != {"string"}} == {}


def test_requests_take_a_number_or_a_string() -> None:
    requests = _closure(set().union(*(_refs(op.get("requestBody", {})) for op in _operations())))
    found = _quantities(requests)
    assert {"ListingCreate.quantity_kg", "OrderCreate.quantity_kg"} <= set(found)
    wrong = {
        field: kinds
        for field, kinds in found.items()
        if field.split(".")[0] not in NUMBER_ONLY_REQUESTS and not {"number", "string"} <= kinds
    }
    assert wrong == {}
    assert all(found[f"{name}.quantity_kg"] == {"number"} for name in NUMBER_ONLY_REQUESTS)


def test_events_carry_quantities_as_decimal_strings() -> None:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "docs" / "events").glob("*.json")):
        schema = json.loads(path.read_text())
        contract = f"{schema['x-source']}.{schema['x-detail-type']}"
        for field, prop in (schema.get("properties") or {}).items():
            if QUANTITY.search(field):
                found[f"{contract}.{field}"] = _types(prop) - {"null"}
    assert "soko.orders.OrderPlaced.quantity_kg" in found
    for field, kinds in found.items():
        expected = {"number"} if field.rsplit(".", 1)[0] in NUMBER_ONLY_EVENTS else {"string"}
        assert kinds == expected, field


def test_the_conventions_state_the_decision() -> None:
    text = (ROOT / "docs" / "conventions.md").read_text()
    assert '"quantity_kg": "95.000"' in text and "rely on **strings**" in text
