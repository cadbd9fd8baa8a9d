"""Every function in the template has a sample event in events/, and its handler accepts it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from soko_local.provision import Deployment
from soko_local.template import AppModel

EVENTS = Path(__file__).parents[2] / "events"


def test_every_function_has_a_sample_event(app_model: AppModel) -> None:
    missing = sorted(f for f in app_model.functions if not (EVENTS / f"{f}.json").exists())
    assert not missing, f"add events/<LogicalId>.json for: {', '.join(missing)}"


def test_no_sample_event_without_a_function(app_model: AppModel) -> None:
    orphans = sorted(p.stem for p in EVENTS.glob("*.json") if p.stem not in app_model.functions)
    assert not orphans, f"events for functions the template does not declare: {orphans}"


def _kind(app_model: AppModel, function: str) -> str:
    api = app_model.http_apis[0]
    if any(route[2] == function for route in api.routes):
        return "http"
    if any(a.function == function for a in api.authorizers.values()):
        return "authorizer"
    if any(s.function == function for s in app_model.event_sources):
        return "consumer"
    return "task"  # a Step Functions task


def _seed_training_pair(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    """TrainPairFunction's sample trains Gulu maize: give the pair 30 months of prices."""
    table = boto3.resource("dynamodb").Table(deployment.physical["MlTable"])
    for month in range(30):
        day = f"{2023 + month // 12}-{month % 12 + 1:02d}-15"
        table.put_item(
            Item={
                "pk": "OBS#Gulu#maize_grain",
                "sk": f"{day}#wfp#retail",
                "date": day,
                "price": 1000 + 10 * month,
                "source": "wfp",
                "pricetype": "retail",
                "status": "accepted",
            }
        )


def _wfp_feed(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    """WfpIngestFunction's feed answers 304 (unchanged) instead of reaching HDX."""
    from soko.providers import http  # noqa: PLC0415

    monkeypatch.setattr(http, "request", lambda *a, **k: http.ProviderResponse(304, b""))


def _seed_weather(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    """WeatherGetFunction's sample reads Gulu: a fresh cached forecast, so no provider is called."""
    from soko.shared import clock  # noqa: PLC0415

    table = boto3.resource("dynamodb").Table(deployment.physical["WeatherTable"])
    day = clock.now().astimezone(clock.EAT).date().isoformat()
    table.put_item(
        Item={
            "pk": "FORECAST#Gulu",
            "sk": "LATEST",
            "district": "Gulu",
            "fetched_at": clock.now_iso(),
            "days": [{"date": day, "rain_mm": 3, "rain_probability": 40, "temp_min_c": 18, "temp_max_c": 29}],
        }
    )


def _seed_cluster_snapshot(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    """GroupClustersTrainFunction's sample trains on a snapshot: the planted test population."""
    from soko.groups.dal_clusters import ClustersDal  # noqa: PLC0415
    from support.clusters import population  # noqa: PLC0415

    dal = ClustersDal(deployment.physical["GroupsTable"], deployment.outputs["ModelsBucketName"])
    dal.put_snapshot("20261130T030000Z-sample", population())


def _nothing(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most samples need no setup."""


SETUP: dict[str, Callable[[Deployment, pytest.MonkeyPatch], None]] = {
    "TrainPairFunction": _seed_training_pair,
    "GroupClustersTrainFunction": _seed_cluster_snapshot,
    "WfpIngestFunction": _wfp_feed,
    "WeatherGetFunction": _seed_weather,
}


@pytest.mark.parametrize("event_file", sorted(EVENTS.glob("*.json")), ids=lambda p: p.stem)
def test_handler_accepts_its_sample_event(  # type: ignore[no-untyped-def]
    invoke, deployment: Deployment, app_model: AppModel, event_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = event_file.stem
    SETUP.get(function, _nothing)(deployment, monkeypatch)
    result: Any = invoke(function, json.loads(event_file.read_text()))

    assert isinstance(result, dict)
    kind = _kind(app_model, function)
    if kind == "http":
        assert result["statusCode"] < 500, result
        if result.get("body") and not result.get("isBase64Encoded"):  # a document (a PDF) is base64
            json.loads(result["body"])
    elif kind == "consumer":  # the sample record is processed
        assert result["batchItemFailures"] == []
    elif kind == "authorizer":  # the sample carries a token that is not valid
        assert result == {"isAuthorized": False}
    else:
        json.dumps(result)  # a task's result goes back to Step Functions as JSON
