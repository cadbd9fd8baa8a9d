"""GET /health in-process against moto resources built from template.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import boto3

from soko_local.provision import Deployment

EVENT = json.loads((Path(__file__).parents[2] / "events" / "HealthFunction.json").read_text())


def test_healthy_when_table_and_bus_answer(invoke, deployment: Deployment) -> None:  # type: ignore[no-untyped-def]
    response = invoke("HealthFunction", EVENT)

    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["status"] == "ok"
    assert body["stage"] == "local"
    assert body["version"] == "0.1.0"
    assert body["time"].endswith("Z")
    checked = {(check["kind"], check["name"]) for check in body["checks"]}
    tables = {"IdempotencyTable", "UsersTable", "MarketTable", "MlTable"}
    assert checked == {("dynamodb", deployment.physical[t]) for t in tables} | {
        ("eventbridge", deployment.outputs["EventBusName"])
    }
    assert all(check["ok"] for check in body["checks"])


def test_degraded_503_when_a_table_is_gone(invoke, deployment: Deployment) -> None:  # type: ignore[no-untyped-def]
    boto3.client("dynamodb").delete_table(TableName=deployment.physical["IdempotencyTable"])

    response = invoke("HealthFunction", EVENT)

    assert response["statusCode"] == 503
    body = json.loads(response["body"])
    assert body["status"] == "degraded"
    failed = [c for c in body["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == [deployment.physical["IdempotencyTable"]]
    assert failed[0]["error"] == "ResourceNotFoundException"
