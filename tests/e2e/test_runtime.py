"""The local runtime's features, proven on its own test application (tests/e2e/runtime_app)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from .conftest import ROOT, RunningRuntime

AUTH = {"Authorization": "Bearer good-alice"}


def _wait_for(predicate: Any, timeout: float = 20, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@pytest.fixture
def app(runtime_app: tuple[RunningRuntime, Path]) -> RunningRuntime:
    return runtime_app[0]


def _table(app: RunningRuntime) -> Any:
    name = app.client("dynamodb").list_tables()["TableNames"][0]
    return name


# ---------------------------------------------------------------- HTTP API and authorizer
def test_protected_route_without_token_is_401(app: RunningRuntime, http: requests.Session) -> None:
    response = http.get(f"{app.url}/echo/bob", timeout=10)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_protected_route_with_rejected_token_is_403(app: RunningRuntime, http: requests.Session) -> None:
    response = http.get(f"{app.url}/echo/bob", headers={"Authorization": "Bearer forged"}, timeout=10)
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}


def test_payload_v2_event_reaches_the_function(app: RunningRuntime, http: requests.Session) -> None:
    response = http.get(f"{app.url}/echo/b%C3%A9atrice?crop=maize&crop=beans&x=1", headers=AUTH, timeout=10)

    assert response.status_code == 200
    assert response.headers["x-echo"] == "yes"
    assert "seen=1" in response.headers["set-cookie"]
    body = response.json()
    assert body["routeKey"] == "GET /echo/{name}"
    assert body["rawPath"] == "/echo/b%C3%A9atrice"
    assert body["pathParameters"] == {"name": "béatrice"}
    assert body["query"] == {"crop": "maize,beans", "x": "1"}
    assert body["authorizer"]["lambda"]["userId"] == "alice"


def test_authorizer_results_are_cached_per_token(app: RunningRuntime, http: requests.Session) -> None:
    token = {"Authorization": f"Bearer good-{uuid.uuid4().hex[:8]}"}
    first = http.get(f"{app.url}/echo/a", headers=token, timeout=10).json()["authorizer"]["lambda"]
    second = http.get(f"{app.url}/echo/b", headers=token, timeout=10).json()["authorizer"]["lambda"]
    other = http.get(f"{app.url}/echo/c", headers=AUTH | {"Authorization": "Bearer good-zed"}, timeout=10)

    assert first["calls"] == second["calls"], "the second request must reuse the cached authorization"
    assert other.json()["authorizer"]["lambda"]["calls"] > first["calls"]


def test_function_environment_comes_from_the_template(app: RunningRuntime, http: requests.Session) -> None:
    body = http.post(f"{app.url}/public/echo", json={"a": 1}, timeout=10).json()

    assert body["table"].startswith("soko-local-SeenTable")
    assert body["endpoint"] == app.endpoints["aws_endpoint"]
    assert body["leaked"] is None, "the runtime's own environment must not leak into functions"
    assert body["body"] == '{"a": 1}'
    assert body["wasBase64"] is False
    assert body["authorizer"] is None


def test_function_error_is_a_plain_500(app: RunningRuntime, http: requests.Session) -> None:
    response = http.get(f"{app.url}/boom", timeout=10)

    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert "must not reach" not in response.text


def test_cors_allows_only_configured_origins(app: RunningRuntime, http: requests.Session) -> None:
    allowed = http.post(
        f"{app.url}/public/echo", json={}, headers={"Origin": "https://app.example"}, timeout=10
    )
    other = http.post(
        f"{app.url}/public/echo", json={}, headers={"Origin": "https://evil.example"}, timeout=10
    )

    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in other.headers


# ---------------------------------------------------------------- Function URL
def test_function_url_serves_form_posts(app: RunningRuntime, http: requests.Session) -> None:
    url = app.endpoints["function_urls"]["FormFunction"]
    response = http.post(
        f"{url}callback?token=s3cret", data={"text": "1*2", "phoneNumber": "+256700000001"}, timeout=10
    )

    assert response.status_code == 200
    body = response.json()
    assert body["rawPath"] == "/callback"
    assert body["query"] == {"token": "s3cret"}
    assert body["wasBase64"] is True
    assert body["body"] == "text=1%2A2&phoneNumber=%2B256700000001"


# ---------------------------------------------------------------- EventBridge -> SQS -> Lambda
def test_partial_batch_failures_are_retried_then_dead_lettered(app: RunningRuntime) -> None:
    events = app.client("events")
    bus = next(b["Name"] for b in events.list_event_buses()["EventBuses"] if b["Name"].endswith("-bus"))
    run = uuid.uuid4().hex[:8]
    entries = [
        {
            "EventBusName": bus,
            "Source": "test.work",
            "DetailType": "Work",
            "Detail": json.dumps({"key": f"{run}-{i}", "fail": i == 2}),
        }
        for i in range(3)
    ]
    assert events.put_events(Entries=entries)["FailedEntryCount"] == 0
    table = app.client("dynamodb")
    table_name = _table(app)

    def deliveries(key: str) -> int:
        item = table.get_item(TableName=table_name, Key={"pk": {"S": f"seen#{key}"}}).get("Item")
        return int(item["deliveries"]["N"]) if item else 0

    _wait_for(lambda: deliveries(f"{run}-2") >= 2, timeout=30)
    sqs = app.client("sqs")
    dlq = next(u for u in sqs.list_queues()["QueueUrls"] if "WorkDLQ" in u)
    dead = _wait_for(lambda: sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages"), 30)

    assert deliveries(f"{run}-0") == 1, "a record that succeeded is deleted, not redelivered"
    assert deliveries(f"{run}-1") == 1
    assert deliveries(f"{run}-2") == 2, "the failed record is retried up to maxReceiveCount"
    assert [json.loads(m["Body"])["detail"]["key"] for m in dead] == [f"{run}-2"]


# ---------------------------------------------------------------- Step Functions
def _execute(app: RunningRuntime, payload: dict[str, Any]) -> dict[str, Any]:
    sfn = app.client("stepfunctions")
    arn = next(iter(app.endpoints["state_machines"].values()))
    execution = sfn.start_execution(stateMachineArn=arn, name=uuid.uuid4().hex, input=json.dumps(payload))
    return _wait_for(
        lambda: (
            (d := sfn.describe_execution(executionArn=execution["executionArn"]))["status"] != "RUNNING" and d
        ),
        timeout=60,
    )


def test_state_machine_retries_a_named_error(app: RunningRuntime) -> None:
    result = _execute(app, {"run": uuid.uuid4().hex, "amount": 50})

    assert result["status"] == "SUCCEEDED"
    output = json.loads(result["output"])
    assert output["flaky"] == {"attempts": 2}
    assert output["payment"] == {"charged": 50}


def test_state_machine_catches_a_named_error(app: RunningRuntime) -> None:
    result = _execute(app, {"run": uuid.uuid4().hex, "amount": 500})

    assert result["status"] == "FAILED"
    assert result["error"] == "Declined"


# ---------------------------------------------------------------- schedules
def test_schedule_runs_on_demand(app: RunningRuntime, http: requests.Session) -> None:
    response = http.post(f"{app.url}/_local/schedules/TickFunctionDaily/run", timeout=30)
    unknown = http.post(f"{app.url}/_local/schedules/Nope/run", timeout=30)

    assert response.status_code == 200
    assert response.json()["result"] == {"ticked": "daily"}
    assert unknown.status_code == 404
    assert unknown.json()["schedules"] == ["TickFunctionDaily"]


def test_run_schedule_command(app: RunningRuntime) -> None:
    port = app.url.rsplit(":", 1)[1]
    done = subprocess.run(
        [sys.executable, "-m", "soko_local", "run-schedule", "--port", port, "TickFunctionDaily"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True


# ---------------------------------------------------------------- code reload
def test_code_changes_are_picked_up_without_restart(
    runtime_app: tuple[RunningRuntime, Path], http: requests.Session
) -> None:
    app, app_dir = runtime_app
    assert http.get(f"{app.url}/version", timeout=10).json() == {"version": "one"}
    source = app_dir / "src" / "version_fn.py"
    source.write_text(source.read_text().replace('"one"', '"two"'))

    assert _wait_for(
        lambda: http.get(f"{app.url}/version", timeout=10).json() == {"version": "two"}, timeout=15
    )


# ---------------------------------------------------------------- DynamoDB streams -> Lambda
def test_stream_records_are_delivered_in_order_and_failures_go_to_the_destination(
    app: RunningRuntime,
) -> None:
    dynamodb = app.client("dynamodb")
    ledger = next(t for t in dynamodb.list_tables()["TableNames"] if "LedgerTable" in t)
    seen = next(t for t in dynamodb.list_tables()["TableNames"] if "SeenTable" in t)
    run = uuid.uuid4().hex[:8]
    dynamodb.put_item(TableName=ledger, Item={"pk": {"S": f"{run}-ok"}})
    dynamodb.put_item(TableName=ledger, Item={"pk": {"S": f"{run}-bad"}, "poison": {"BOOL": True}})

    def deliveries(key: str) -> int:
        item = dynamodb.get_item(TableName=seen, Key={"pk": {"S": f"stream#{key}"}}).get("Item")
        return int(item["deliveries"]["N"]) if item else 0

    sqs = app.client("sqs")
    failures = next(u for u in sqs.list_queues()["QueueUrls"] if "StreamFailureQueue" in u)
    message = _wait_for(lambda: sqs.receive_message(QueueUrl=failures).get("Messages"), timeout=30)[0]

    assert deliveries(f"{run}-ok") == 1
    assert deliveries(f"{run}-bad") == 3, "the first try and MaximumRetryAttempts (2) retries"
    info = json.loads(message["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["DDBStreamBatchInfo"]["batchSize"] == 1
