"""Every function in the template has a sample event in events/, and its handler accepts it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soko_local.template import AppModel

EVENTS = Path(__file__).parents[2] / "events"


def test_every_function_has_a_sample_event(app_model: AppModel) -> None:
    missing = sorted(f for f in app_model.functions if not (EVENTS / f"{f}.json").exists())
    assert not missing, f"add events/<LogicalId>.json for: {', '.join(missing)}"


def test_no_sample_event_without_a_function(app_model: AppModel) -> None:
    orphans = sorted(p.stem for p in EVENTS.glob("*.json") if p.stem not in app_model.functions)
    assert not orphans, f"events for functions the template does not declare: {orphans}"


@pytest.mark.parametrize("event_file", sorted(EVENTS.glob("*.json")), ids=lambda p: p.stem)
def test_handler_accepts_its_sample_event(invoke, event_file: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke(event_file.stem, json.loads(event_file.read_text()))

    assert isinstance(result, dict)
    if "statusCode" in result:  # an HTTP API function
        assert result["statusCode"] < 500, result
        if result.get("body"):
            json.loads(result["body"])
    elif "batchItemFailures" in result:  # a stream or queue consumer: the sample is processed
        assert result["batchItemFailures"] == []
    else:  # the authorizer: the sample carries a token that is not valid
        assert result == {"isAuthorized": False}
