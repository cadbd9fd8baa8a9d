"""Event contracts: published as JSON Schema, current, versioned, named by convention."""

from __future__ import annotations

import json
import re

from soko_local import contracts


def test_checked_in_schemas_are_current() -> None:
    wanted = {name: contracts.render(schema) for name, schema in contracts.schemas().items()}
    existing = {p.name: p.read_text() for p in contracts.FOLDER.glob("*.json")}
    assert existing == wanted, "docs/events is stale: run `make schemas`"


def test_every_contract_follows_the_conventions() -> None:
    found = contracts.contracts()
    assert {c.DETAIL_TYPE for c in found} >= {
        "UserRegistered",
        "OrderPlaced",
        "OrderCompleted",
        "ReviewSubmitted",
    }
    for contract in found:
        assert re.fullmatch(r"soko\.[a-z]+", contract.SOURCE), contract
        assert re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+", contract.DETAIL_TYPE), (
            contract
        )  # PascalCase, 2+ words
        schema = contract.model_json_schema()
        assert {"schema_version", "event_id", "occurred_at"} <= set(schema["properties"]), contract
        money = [name for name in schema["properties"] if name.endswith("_ugx")]
        for name in money:  # money is integer UGX
            assert schema["properties"][name]["type"] == "integer", (contract, name)


def test_consumers_tolerate_unknown_fields() -> None:
    for contract in contracts.contracts():
        assert contract.model_config.get("extra") == "ignore", contract
    sample = json.loads((contracts.FOLDER / "soko.users.UserRegistered.v1.json").read_text())
    assert "user_id" in sample["required"]
