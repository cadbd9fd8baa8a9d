"""The trader clusters end to end: a buyer's order -> OrderPlaced on the bus -> the buyer-behaviour
projection; `make train-groups` adds the generated history (the dev world has one real buyer) and
runs the group-clusters state machine (Step Functions in the local runtime, Lambda tasks on its
workers), which stores the model version and announces it; GET /groups/recommended places the buyer
with it."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from soko.shared import aws
from soko_local import ml_tasks
from support.clusters import clusters_queue

from .conftest import RunningRuntime

PASSWORD = "Lira-beans-2026-groups"


def _account(http: requests.Session, url: str, role: str) -> tuple[str, dict[str, str]]:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    created = http.post(
        f"{url}/auth/register", json={"email": email, "password": PASSWORD, "role": role}, timeout=30
    )
    assert created.status_code == 201, created.text
    token = http.post(f"{url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=30).json()
    return created.json()["id"], {"Authorization": f"Bearer {token['access_token']}"}


@contextmanager
def _runtime_aws(soko: RunningRuntime) -> Iterator[None]:
    """soko.shared.aws clients of this process reach the runtime's moto."""
    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = soko.endpoints["aws_endpoint"]
    aws.reset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = saved
        aws.reset()


def _groups_table(soko: RunningRuntime) -> str:
    [name] = [n for n in soko.client("dynamodb").list_tables()["TableNames"] if "GroupsTable" in n]
    return str(name)


def _item(soko: RunningRuntime, table: str, pk: str, sk: str) -> dict[str, Any] | None:
    found = soko.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
    item: dict[str, Any] | None = found.get("Item")
    return item


def test_orders_train_clusters_that_place_the_buyer(
    soko: RunningRuntime, http: requests.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    url = soko.url
    _, farmer = _account(http, url, "farmer")
    buyer_id, buyer = _account(http, url, "buyer")
    listing = http.post(
        f"{url}/listings/",
        headers=farmer,
        timeout=30,
        json={
            "title": "Yellow beans",
            "crop": "beans",
            "price_per_kg": 3200,
            "quantity_kg": "900",
            "district": "Lira",
        },
    )
    assert listing.status_code == 201, listing.text
    order = http.post(
        f"{url}/orders/",
        headers=buyer,
        json={"listing_id": listing.json()["id"], "quantity_kg": "400"},
        timeout=30,
    )
    assert order.status_code == 201, order.text

    table = _groups_table(soko)
    deadline = time.monotonic() + 60
    while (behaviour := _item(soko, table, f"BUYER#{buyer_id}", "BEHAVIOUR")) is None:
        assert time.monotonic() < deadline, "the projection never saw the order"
        time.sleep(0.2)
    assert behaviour["orders"] == {"N": "1"} and behaviour["cg_yellow_beans"] == {"N": "400000"}

    queue, cleanup = clusters_queue(
        soko.client("events"), soko.client("sqs"), soko.endpoints["outputs"]["EventBusName"]
    )
    try:
        # what `make train-groups` runs; a dev world this young gets the generated history too
        with _runtime_aws(soko):
            outputs = {**soko.endpoints["outputs"], "state_machines": soko.endpoints["state_machines"]}
            assert ml_tasks._train_groups(outputs, generate=True) == 0
        printed = capsys.readouterr().out
        assert "added a GENERATED history of 300 buyers" in printed, printed  # below 30 real buyers
        pointer = _item(soko, table, "CLUSTERS#CURRENT", "MODEL")
        assert pointer is not None
        version = pointer["version"]["S"]
        assert f"model {version}: k = " in printed and "(300 generated)" in printed, printed
        key = f"models/group-clusters/{version}.json"
        soko.client("s3").head_object(Bucket=soko.endpoints["outputs"]["ModelsBucketName"], Key=key)
        announced = []
        for _ in range(20):
            got = soko.client("sqs").receive_message(
                QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1
            )
            announced += [json.loads(m["Body"]) for m in got.get("Messages", [])]
            if announced:
                break
        assert announced[0]["detail"]["model_version"] == version and announced[0]["detail"]["buyers"] > 300
    finally:
        cleanup()

    recommended = http.get(f"{url}/groups/recommended", headers=buyer, timeout=30)
    assert recommended.status_code == 200, recommended.text
    body = recommended.json()
    assert body["model_version"] == version and body["cluster"] == "weekly beans buyers"
    assert http.get(f"{url}/groups/recommended", headers=farmer, timeout=30).status_code == 403
