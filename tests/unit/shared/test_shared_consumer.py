"""soko.shared.consumer: SQS batches of EventBridge events with partial failures, idempotent on the
EventBridge event id, against a moto idempotency table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from soko.shared import config
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent

REGION = "us-east-1"
TABLE = "shared-test-idempotency"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:123456789012:notifications"


class RecordingHandler:
    """The consumer's business logic: records every event id it sees, fails the ones told to."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.failing: set[str] = set()

    def __call__(self, event: ReceivedEvent) -> None:
        self.seen.append(event.id)
        assert event.detail_type == "OrderPlaced"
        if event.id in self.failing:
            raise RuntimeError(f"could not notify for {event.id}")


@pytest.fixture
def idempotency_table(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=TABLE,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", TABLE)
    config.load.cache_clear()
    yield boto3.resource("dynamodb", region_name=REGION).Table(TABLE)
    config.load.cache_clear()


def eventbridge_event(
    event_id: str, order_id: str = "O1", *, detail_event_id: str | None = None
) -> dict[str, Any]:
    """An EventBridge event; ``detail_event_id`` is the id Soko's own events carry in ``detail``."""
    detail: dict[str, Any] = {"schema_version": 1, "order_id": order_id, "total_ugx": 25000}
    if detail_event_id is not None:
        detail["event_id"] = detail_event_id
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "OrderPlaced",
        "source": "soko.orders",
        "account": "123456789012",
        "time": "2025-03-01T10:00:00Z",
        "region": REGION,
        "resources": [],
        "detail": detail,
    }


def sqs_record(message_id: str, body: str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"receipt-{message_id}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1740823200000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1740823200001",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": REGION,
    }


def batch(*records: tuple[str, str | dict[str, Any]]) -> dict[str, Any]:
    """An SQS event from (messageId, body) pairs; dict bodies are serialised like EventBridge does."""
    return {
        "Records": [
            sqs_record(message_id, body if isinstance(body, str) else json.dumps(body))
            for message_id, body in records
        ]
    }


def failed_ids(response: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def test_only_the_failing_record_is_reported(idempotency_table: Any, lambda_context: Any) -> None:
    handle = RecordingHandler()
    handle.failing = {"evt-2"}
    consumer = EventConsumer("notifications", handle)

    response = consumer.lambda_handler(
        batch(
            ("msg-1", eventbridge_event("evt-1")),
            ("msg-2", eventbridge_event("evt-2")),
            ("msg-3", eventbridge_event("evt-3")),
        ),
        lambda_context,
    )

    assert failed_ids(response) == ["msg-2"]
    assert handle.seen == ["evt-1", "evt-2", "evt-3"]


def test_all_succeeding_reports_no_failures(idempotency_table: Any, lambda_context: Any) -> None:
    handle = RecordingHandler()
    consumer = EventConsumer("notifications", handle)

    response = consumer.lambda_handler(batch(("msg-1", eventbridge_event("evt-1"))), lambda_context)

    assert response == {"batchItemFailures": []}


def test_redelivery_is_not_handled_twice_and_the_failed_event_is_retried(
    idempotency_table: Any, lambda_context: Any
) -> None:
    handle = RecordingHandler()
    handle.failing = {"evt-2"}
    consumer = EventConsumer("notifications", handle)
    first = consumer.lambda_handler(
        batch(
            ("msg-1", eventbridge_event("evt-1")),
            ("msg-2", eventbridge_event("evt-2")),
            ("msg-3", eventbridge_event("evt-3")),
        ),
        lambda_context,
    )
    assert failed_ids(first) == ["msg-2"]
    handle.failing.clear()  # the downstream dependency recovered

    # evt-1 comes back in a NEW message (EventBridge delivered it twice); evt-2 is SQS's redrive.
    second = consumer.lambda_handler(
        batch(("msg-4", eventbridge_event("evt-1")), ("msg-2", eventbridge_event("evt-2"))),
        lambda_context,
    )

    assert failed_ids(second) == []
    assert handle.seen == ["evt-1", "evt-2", "evt-3", "evt-2"]


def test_a_new_process_still_remembers_processed_events(idempotency_table: Any, lambda_context: Any) -> None:
    handle = RecordingHandler()
    EventConsumer("notifications", handle).lambda_handler(
        batch(("msg-1", eventbridge_event("evt-1"))), lambda_context
    )

    # A cold start: a fresh consumer object; what it knows comes from the table, not from memory.
    response = EventConsumer("notifications", handle).lambda_handler(
        batch(("msg-9", eventbridge_event("evt-1"))), lambda_context
    )

    assert failed_ids(response) == []
    assert handle.seen == ["evt-1"]
    assert idempotency_table.scan()["Count"] == 1


def test_idempotency_is_per_consumer(idempotency_table: Any, lambda_context: Any) -> None:
    notifications, analytics = RecordingHandler(), RecordingHandler()
    event = batch(("msg-1", eventbridge_event("evt-1")))

    EventConsumer("notifications", notifications).lambda_handler(event, lambda_context)
    EventConsumer("analytics", analytics).lambda_handler(event, lambda_context)

    assert notifications.seen == ["evt-1"]
    assert analytics.seen == ["evt-1"]
    keys = sorted(item["id"] for item in idempotency_table.scan()["Items"])
    assert [key.split("#")[0] for key in keys] == ["consumer.analytics", "consumer.notifications"]


def test_the_same_event_twice_in_one_batch_is_handled_once(
    idempotency_table: Any, lambda_context: Any
) -> None:
    handle = RecordingHandler()

    response = EventConsumer("notifications", handle).lambda_handler(
        batch(("msg-1", eventbridge_event("evt-1")), ("msg-2", eventbridge_event("evt-1"))), lambda_context
    )

    assert failed_ids(response) == []
    assert handle.seen == ["evt-1"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("this is not json", id="not-json"),
        pytest.param(json.dumps({"order_id": "O1"}), id="json-but-not-an-event"),
        pytest.param(json.dumps([eventbridge_event("evt-x")]), id="a-list-of-events"),
        pytest.param(json.dumps({**eventbridge_event("evt-x"), "id": ""}), id="empty-event-id"),
        pytest.param(
            json.dumps({k: v for k, v in eventbridge_event("evt-x").items() if k != "detail"}), id="no-detail"
        ),
        pytest.param(json.dumps({**eventbridge_event("evt-x"), "time": "yesterday"}), id="bad-time"),
        pytest.param("", id="empty"),
    ],
)
def test_a_body_that_is_not_an_eventbridge_event_fails_that_record(
    body: str, idempotency_table: Any, lambda_context: Any
) -> None:
    handle = RecordingHandler()
    consumer = EventConsumer("notifications", handle)

    response = consumer.lambda_handler(
        batch(("msg-good", eventbridge_event("evt-1")), ("msg-poison", body)), lambda_context
    )

    assert failed_ids(response) == ["msg-poison"]
    assert handle.seen == ["evt-1"]
    assert idempotency_table.scan()["Count"] == 1  # poison leaves no idempotency record behind


def test_a_batch_that_fails_entirely_raises_and_leaves_no_record(
    idempotency_table: Any, lambda_context: Any
) -> None:
    handle = RecordingHandler()
    handle.failing = {"evt-1", "evt-2"}
    consumer = EventConsumer("notifications", handle)

    # Powertools fails the invocation when every record failed: SQS then retries the whole batch.
    with pytest.raises(BatchProcessingError):
        consumer.lambda_handler(
            batch(("msg-1", eventbridge_event("evt-1")), ("msg-2", eventbridge_event("evt-2"))),
            lambda_context,
        )

    assert idempotency_table.scan()["Count"] == 0  # nothing blocks the retry
    handle.failing.clear()
    response = consumer.lambda_handler(
        batch(("msg-1", eventbridge_event("evt-1")), ("msg-2", eventbridge_event("evt-2"))), lambda_context
    )
    assert failed_ids(response) == []
    assert handle.seen == ["evt-1", "evt-2", "evt-1", "evt-2"]


def test_a_malformed_body_reusing_a_processed_event_id_still_fails(
    idempotency_table: Any, lambda_context: Any
) -> None:
    handle = RecordingHandler()
    consumer = EventConsumer("notifications", handle)
    consumer.lambda_handler(batch(("msg-1", eventbridge_event("evt-1"))), lambda_context)

    # Not an event, though it carries a known id: it must reach the DLQ, not be acknowledged as a
    # duplicate of evt-1.
    response = consumer.lambda_handler(
        batch(("msg-2", eventbridge_event("evt-2")), ("msg-poison", json.dumps({"id": "evt-1"}))),
        lambda_context,
    )

    assert failed_ids(response) == ["msg-poison"]
    assert handle.seen == ["evt-1", "evt-2"]


def test_a_republished_event_is_deduplicated_on_its_own_event_id(
    idempotency_table: Any, lambda_context: Any
) -> None:
    # The outbox relay may publish the same event twice: EventBridge gives each PutEvents a new `id`,
    # but `detail.event_id` stays the same.
    handle = RecordingHandler()
    consumer = EventConsumer("notifications", handle)

    response = consumer.lambda_handler(
        batch(
            ("msg-1", eventbridge_event("eb-aaa", detail_event_id="01JNK4S5D3QZ8V6Y0F2M7XW9TB")),
            ("msg-2", eventbridge_event("eb-bbb", detail_event_id="01JNK4S5D3QZ8V6Y0F2M7XW9TB")),
            ("msg-3", eventbridge_event("eb-ccc", detail_event_id="01JNK4S5D3QZ8V6Y0F2M7XW9TC")),
        ),
        lambda_context,
    )

    assert failed_ids(response) == []
    assert handle.seen == ["eb-aaa", "eb-ccc"]
