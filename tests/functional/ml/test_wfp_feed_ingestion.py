"""The scheduled WFP feed ingestion in-process against moto resources provisioned from template.yaml:
WfpIngestFunction downloads from the feed's sandbox twin (served over real HTTP), the ML table
starts with the shipped series (as `make dev` loads it), and what it publishes is read from a queue
on the bus. A new month loads, a second run loads nothing, only the changed pairs are announced and
put in the training run; a failing feed changes nothing. A completed order's accepted observation is
announced too."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import boto3
import pytest
import requests

from soko.market.events import OrderCompleted
from soko.ml.dal import MlDal
from soko.providers import http
from soko_local.provision import Deployment
from soko_tools import wfp as shipped
from support.events import eventbridge_event, sqs_event
from support.lambda_env import Invoke, make_invoker
from support.sandbox import SandboxServer

FUNCTION = "WfpIngestFunction"
SCHEDULED = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
GULU = [("Gulu", "maize_grain"), ("Gulu", "sorghum"), ("Gulu", "yellow_beans")]


@pytest.fixture
def feed(deployment: Deployment) -> Iterator[SandboxServer]:
    server = SandboxServer()
    yield server
    server.close()


@pytest.fixture
def run(deployment: Deployment, feed: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setattr(http, "_sleep", lambda _: None)  # the retries' back-off
    return make_invoker(
        deployment,
        overrides=lambda: {"WFP_FEED_URL": f"{feed.url}/_sandbox/wfp/wfp_food_prices_uga.csv"},
    )


@pytest.fixture
def table(deployment: Deployment) -> str:
    """The ML table with the shipped WFP series, as `make dev` starts."""
    name = deployment.physical["MlTable"]
    MlDal(name).load_observations(shipped.read_wfp(), counter="wfp_count")
    return name


@pytest.fixture
def published(deployment: Deployment) -> Any:
    """A queue on the bus receiving PricesObserved; call it for what has arrived since."""
    sqs, events = boto3.client("sqs"), boto3.client("events")
    queue = sqs.create_queue(QueueName=f"observed-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = deployment.outputs["EventBusName"]
    events.put_rule(
        Name="observed", EventBusName=bus, EventPattern=json.dumps({"detail-type": ["PricesObserved"]})
    )
    events.put_targets(Rule="observed", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])

    def read() -> list[dict[str, Any]]:
        found = []
        while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                body = json.loads(message["Body"])
                assert body["source"] == "soko.ml"
                found.append(body["detail"])
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        return sorted(found, key=lambda d: (d["market"], d["crop"]))

    return read


def training_runs(deployment: Deployment) -> list[dict[str, Any]]:
    sfn = boto3.client("stepfunctions")
    runs = sfn.list_executions(stateMachineArn=deployment.state_machines["TrainingStateMachine"])[
        "executions"
    ]
    return [json.loads(sfn.describe_execution(executionArn=r["executionArn"])["input"]) for r in runs]


def items(table: str, market: str, crop: str) -> list[dict[str, Any]]:
    return list(
        boto3.resource("dynamodb")
        .Table(table)
        .query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"OBS#{market}#{crop}"})[
            "Items"
        ]
    )


def test_a_new_month_loads_once_and_only_its_pairs_are_announced_and_retrained(
    run: Invoke, invoke: Invoke, deployment: Deployment, table: str, feed: SandboxServer, published: Any
) -> None:
    # the feed serves what the table already holds: nothing to write, announce or train
    first = run(FUNCTION, SCHEDULED)
    assert (first["not_modified"], first["observations"], first["written"]) == (False, 7437, 0)
    assert first["changed_pairs"] == [] and first["training_run"] is None
    assert published() == [] and training_runs(deployment) == []

    # unchanged since: the conditional GET answers 304
    assert run(FUNCTION, SCHEDULED)["not_modified"] is True

    # WFP publishes May for Gulu (beans, white maize, sorghum)
    month = requests.post(f"{feed.url}/_sandbox/wfp/_publish", json={"markets": ["Gulu"]}, timeout=10)
    assert month.status_code == 201, month.text
    prices = {row["commodity"]: round(float(row["price_ugx_per_kg"])) for row in month.json()["rows"]}
    before = len(items(table, "Lira", "maize_grain"))

    loaded = run(FUNCTION, SCHEDULED)
    assert (loaded["not_modified"], loaded["written"]) == (False, 3)
    assert [tuple(p) for p in loaded["changed_pairs"]] == GULU
    gulu_beans = {i["date"]: i for i in items(table, "Gulu", "yellow_beans")}
    assert gulu_beans["2026-05-15"]["price"] == Decimal(prices["Beans"])
    assert gulu_beans["2026-05-15"]["status"] == "accepted"
    assert len(items(table, "Lira", "maize_grain")) == before  # other pairs untouched

    # one PricesObserved per changed pair, with its newest accepted price
    assert [(d["market"], d["crop"], d["source"], d["day"], d["price_ugx"]) for d in published()] == [
        ("Gulu", "maize_grain", "wfp", "2026-05-15", prices["Maize (white)"]),
        ("Gulu", "sorghum", "wfp", "2026-05-15", prices["Sorghum"]),
        ("Gulu", "yellow_beans", "wfp", "2026-05-15", prices["Beans"]),
    ]

    # one training run, for exactly those pairs; its listing trains them and nothing else
    [started] = training_runs(deployment)
    assert sorted((p["market"], p["crop"]) for p in started["pairs"]) == GULU
    listing = invoke("ListPairsFunction", started)
    assert sorted((p["market"], p["crop"]) for p in listing["pairs"]) == GULU
    assert len(invoke("ListPairsFunction", {})["pairs"]) > 3 * len(GULU)  # the weekly run: every pair

    # a second run loads nothing, announces nothing and trains nothing
    again = run(FUNCTION, SCHEDULED)
    assert again["not_modified"] is True and again["changed_pairs"] == []
    assert published() == [] and len(training_runs(deployment)) == 1


def test_a_failing_feed_changes_nothing_and_the_next_run_catches_up(
    run: Invoke, deployment: Deployment, table: str, feed: SandboxServer, published: Any
) -> None:
    row: dict[str, Any] = {
        "date": "2026-05-15",
        "market": "Lira",
        "commodity": "Maize (white)",
        "price": 1525,
    }
    month = requests.post(f"{feed.url}/_sandbox/wfp/_publish", json={"rows": [row]}, timeout=10)
    assert month.status_code == 201, month.text
    faults = requests.post(
        f"{feed.url}/_sandbox/wfp/_faults", json={"fail_next": 3, "status": 503}, timeout=10
    )
    assert faults.status_code == 200

    with pytest.raises(http.ProviderError, match="503"):
        run(FUNCTION, SCHEDULED)  # three attempts, all 503
    assert not any(i["date"] == "2026-05-15" for i in items(table, "Lira", "maize_grain"))
    assert published() == [] and training_runs(deployment) == []

    caught_up = run(FUNCTION, SCHEDULED)
    assert caught_up["written"] == 1 and caught_up["changed_pairs"] == [["Lira", "maize_grain"]]
    [observed] = published()
    assert (observed["market"], observed["crop"], observed["day"], observed["price_ugx"]) == (
        "Lira",
        "maize_grain",
        "2026-05-15",
        1525,
    )


def test_an_accepted_order_price_is_announced(invoke: Invoke, deployment: Deployment, published: Any) -> None:
    order = OrderCompleted(
        order_id=uuid.uuid4().hex,
        listing_id="L1",
        buyer_id="B1",
        farmer_id="F1",
        crop="kasooli",
        district="Omoro",
        quantity_kg=Decimal("50.000"),
        price_per_kg_ugx=1150,
        total_ugx=57500,
        completed_at="2026-11-21T09:30:00Z",
    )
    detail = json.loads(order.model_dump_json())
    delivery = sqs_event(eventbridge_event(order.SOURCE, order.DETAIL_TYPE, detail))
    assert invoke("PriceObservationsConsumerFunction", delivery) == {"batchItemFailures": []}
    [observed] = published()
    assert (observed["market"], observed["crop"], observed["source"]) == ("Gulu", "maize_grain", "order")
    assert (date.fromisoformat(observed["day"]), observed["price_ugx"]) == (date(2026, 11, 21), 1150)
