"""GET /admin/training: the price models' last training run, from the training state machine's
executions (moto Step Functions, provisioned from the template), for admins only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3

from soko.ml import training_status
from soko.shared.identity import Caller
from soko_local.provision import Deployment
from support.gateway import http_event

ADMIN = "01JD0000000000000000000009"


def _get(invoke: Any, role: str, user: str = ADMIN) -> tuple[int, Any]:
    context = {"userId": user, "role": role, "email": "a@b.c"}
    result = invoke("AdminTrainingFunction", http_event(None, "GET", "/admin/training", context=context))
    return result["statusCode"], json.loads(result["body"])


def test_the_last_run_is_none_before_the_first_training(invoke: Any) -> None:
    assert _get(invoke, "admin") == (
        200,
        {
            "status": "NONE",
            "execution_id": None,
            "started_at": None,
            "stopped_at": None,
            "pairs": None,
            "trained": None,
            "failed": None,
            "failures": [],
            "error": None,
        },
    )


def test_it_is_for_admins_only(invoke: Any) -> None:
    for role in ("buyer", "farmer", "both"):
        status, body = _get(invoke, role, user="01JD0000000000000000000001")
        assert status == 403, body
        assert body["error"]["code"] == "FORBIDDEN"


def test_it_reads_the_latest_execution_of_the_training_state_machine(
    invoke: Any, deployment: Deployment
) -> None:
    sfn = boto3.client("stepfunctions")
    machine = next(
        m["stateMachineArn"]
        for m in sfn.list_state_machines()["stateMachines"]
        if "TrainingStateMachine" in m["name"]
    )
    started = sfn.start_execution(stateMachineArn=machine, name="weekly-1", input="{}")
    status, body = _get(invoke, "admin")
    assert status == 200
    assert body["execution_id"] == started["executionArn"]
    assert body["status"] in ("RUNNING", "SUCCEEDED", "FAILED")
    assert body["started_at"].endswith("Z")


class _Runs:
    def __init__(self, latest: dict[str, Any] | None):
        self._latest = latest

    def latest(self) -> dict[str, Any] | None:
        return self._latest


def test_the_summary_counts_the_pairs_trained_and_failed() -> None:
    output = {
        "pairs": [
            {"market": "Gulu", "crop": "maize_grain"},
            {"market": "Lira", "crop": "beans"},
            {"market": "Mbale", "crop": "rice"},
        ],
        "results": [
            {"market": "Gulu", "crop": "maize_grain", "method": "pooled"},
            {"market": "Lira", "crop": "beans", "method": "naive"},
            {"market": "Mbale", "crop": "rice", "failed": True, "error": "NotEnoughData"},
        ],
    }
    execution = {
        "executionArn": "arn:aws:states:us-east-1:123456789012:execution:Training:weekly-2",
        "status": "SUCCEEDED",
        "startDate": datetime(2026, 11, 30, 2, 0, 1, 500_000, tzinfo=UTC),
        "stopDate": datetime(2026, 11, 30, 2, 14, 9, tzinfo=UTC),
        "output": json.dumps(output),
    }
    run = training_status.last_run(Caller(user_id=ADMIN, role="admin", email="a@b.c"), _Runs(execution))
    assert (run.status, run.started_at, run.stopped_at) == (
        "SUCCEEDED",
        "2026-11-30T02:00:01Z",
        "2026-11-30T02:14:09Z",
    )
    assert (run.pairs, run.trained, run.failed) == (3, 2, 1)
    assert [(f.market, f.crop, f.error) for f in run.failures] == [("Mbale", "rice", "NotEnoughData")]
    assert run.error is None


def test_a_failed_run_gives_its_error_and_no_counts() -> None:
    execution = {
        "executionArn": "arn:aws:states:us-east-1:123456789012:execution:Training:weekly-3",
        "status": "FAILED",
        "startDate": datetime(2026, 11, 30, 2, 0, tzinfo=UTC),
        "stopDate": datetime(2026, 11, 30, 2, 1, tzinfo=UTC),
        "error": "States.TaskFailed",
        "cause": "ListPairs timed out",
    }
    run = training_status.last_run(Caller(user_id=ADMIN, role="admin", email="a@b.c"), _Runs(execution))
    assert run.status == "FAILED" and run.error == "States.TaskFailed ListPairs timed out"
    assert (run.pairs, run.trained, run.failed, run.failures) == (None, None, None, [])
