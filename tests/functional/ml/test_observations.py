"""A completed order becomes a price observation: the OrderCompleted event, built with the market's
contract and delivered by EventBridge -> SQS, is processed in-process by the template's consumer
function against moto resources provisioned from template.yaml."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import boto3
import pytest

from soko.market.events import OrderCompleted
from soko_local.provision import Deployment
from support.events import eventbridge_event, sqs_event

CONSUMER = "PriceObservationsConsumerFunction"
PK = "OBS#Gulu#maize_grain"  # Omoro is routed to Gulu's market; "kasooli" is maize


def completed(price: int, *, order_id: str | None = None, day: str = "2026-11-21") -> OrderCompleted:
    order_id = order_id or uuid.uuid4().hex
    return OrderCompleted(
        order_id=order_id,
        listing_id="L-" + order_id,
        buyer_id="B1",
        farmer_id="F1",
        crop="kasooli",
        district="Omoro",
        quantity_kg=Decimal("50.000"),
        price_per_kg_ugx=price,
        total_ugx=50 * price,
        completed_at=f"{day}T09:30:00Z",
    )


def delivery(event: OrderCompleted) -> dict[str, Any]:
    """One SQS message holding the event as the PriceObservationsRule delivers it (each delivery
    has its own EventBridge id and message id; the event's own id stays)."""
    detail = json.loads(event.model_dump_json())
    return sqs_event(eventbridge_event(event.SOURCE, event.DETAIL_TYPE, detail, time="2026-11-21T09:30:01Z"))


@pytest.fixture
def table(deployment: Deployment) -> Any:
    return boto3.resource("dynamodb").Table(deployment.physical["MlTable"])


def observations(table: Any) -> list[dict[str, Any]]:
    return table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": PK})["Items"]


def order_count(table: Any) -> int:
    item = table.get_item(Key={"pk": "COVERAGE", "sk": "maize_grain#Gulu"}).get("Item") or {}
    return int(item.get("order_count", 0))


def consume(invoke: Any, event: OrderCompleted) -> None:
    result = invoke(CONSUMER, delivery(event))
    assert result == {"batchItemFailures": []}


def test_a_completed_order_is_stored_as_an_observation(invoke: Any, table: Any) -> None:
    event = completed(1150)
    consume(invoke, event)

    [item] = observations(table)
    assert item["sk"] == f"2026-11-21#order#{event.order_id}"
    assert (item["market"], item["crop"], item["date"]) == ("Gulu", "maize_grain", "2026-11-21")
    assert item["price"] == 1150 and item["status"] == "accepted"
    assert (item["source"], item["pricetype"], item["order_id"]) == ("order", "trade", event.order_id)
    assert "reason" not in item
    assert order_count(table) == 1


def test_a_redelivered_event_is_stored_once(invoke: Any, table: Any) -> None:
    event = completed(1150)
    consume(invoke, event)
    consume(invoke, event)  # the same event id, in a new message (SQS at-least-once)
    # the same order in an event with another id (a producer that published it twice) is still one
    consume(invoke, completed(1150, order_id=event.order_id))

    assert len(observations(table)) == 1
    assert order_count(table) == 1


def test_an_outlier_is_kept_as_rejected_and_not_counted(invoke: Any, table: Any) -> None:
    for price in (1000, 1010, 990, 1005, 995, 1000):
        consume(invoke, completed(price, day="2026-11-10"))
    outlier = completed(5000)
    consume(invoke, outlier)

    stored = {item["order_id"]: item for item in observations(table)}
    assert len(stored) == 7
    rejected = stored[outlier.order_id]
    assert rejected["status"] == "rejected" and rejected["price"] == 5000
    assert "sd from the mean" in rejected["reason"]
    assert order_count(table) == 6, "a rejected price counts for nothing"
    assert [i["status"] for i in stored.values()].count("accepted") == 6


def test_a_crop_without_forecasts_stores_nothing(invoke: Any, table: Any, deployment: Deployment) -> None:
    event = completed(900).model_copy(update={"crop": "coffee"})
    consume(invoke, event)
    everything = table.scan()["Items"]
    assert [i for i in everything if str(i["pk"]).startswith("OBS#")] == []


def test_an_event_off_its_contract_fails_its_record_alone(invoke: Any, table: Any) -> None:
    bad, good = delivery(completed(1150)), completed(1100)
    body = json.loads(bad["Records"][0]["body"])
    del body["detail"]["price_per_kg_ugx"]
    bad["Records"][0]["body"] = json.dumps(body)

    result = invoke(CONSUMER, {"Records": bad["Records"] + delivery(good)["Records"]})
    assert result == {"batchItemFailures": [{"itemIdentifier": bad["Records"][0]["messageId"]}]}
    assert [i["order_id"] for i in observations(table)] == [good.order_id]
