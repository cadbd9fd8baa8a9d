"""soko.shared.events (contracts, the received envelope) and soko.shared.bus (EventPublisher),
against a fake EventBridge client that enforces PutEvents' limits, and once against moto."""

from __future__ import annotations

import json
import types
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import boto3
import pytest
from botocore.exceptions import ClientError
from pydantic import ValidationError

from soko.shared import ids
from soko.shared.bus import MAX_BATCH, MAX_REQUEST_BYTES, EventPublisher, EventPublishError
from soko.shared.errors import DependencyUnavailable
from soko.shared.events import EventDetail, ReceivedEvent

BUS = "soko-test-bus"
REGION = "us-east-1"


class OrderPlaced(EventDetail):
    SOURCE = "soko.orders"
    DETAIL_TYPE = "OrderPlaced"

    order_id: str
    total_ugx: int
    note: str = ""


class ListingPublishedV2(EventDetail):
    SOURCE = "soko.listings"
    DETAIL_TYPE = "ListingPublished"

    schema_version: int = 2
    listing_id: str


def orders(count: int, *, note: str = "") -> list[OrderPlaced]:
    return [OrderPlaced(order_id=f"O{i:03d}", total_ugx=1000 * i, note=note) for i in range(count)]


def entry_size(entry: dict[str, Any]) -> int:
    """PutEvents entry size as EventBridge computes it (eb-putevent-size)."""
    size = 14 if "Time" in entry else 0
    size += len(entry["Source"].encode()) + len(entry["DetailType"].encode())
    size += len(entry.get("Detail", "").encode())
    return size + sum(len(r.encode()) for r in entry.get("Resources", []))


def validation_error(message: str) -> ClientError:
    return ClientError({"Error": {"Code": "ValidationException", "Message": message}}, "PutEvents")


class FakeEventBridge:
    """Records put_events calls and answers from a script.

    ``script`` holds one ``{order_id: error_code}`` map per call: entries whose detail has that
    ``order_id`` fail with that code; a call past the end of the script succeeds. Like EventBridge,
    the whole request is rejected when it has more than 10 entries or is over 256 KB.
    """

    def __init__(self, script: list[dict[str, str]] | None = None) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self._script = list(script or [])

    def put_events(self, *, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        if not 1 <= len(Entries) <= 10:
            raise validation_error("1 validation error detected: Entries must have length <= 10")
        if sum(entry_size(e) for e in Entries) > MAX_REQUEST_BYTES:
            raise validation_error("Total size of the entries in the request is over the limit.")
        self.calls.append([dict(e) for e in Entries])
        failures = self._script.pop(0) if self._script else {}
        results: list[dict[str, Any]] = []
        for entry in Entries:
            code = failures.get(json.loads(entry["Detail"]).get("order_id", ""))
            if code:
                results.append({"ErrorCode": code, "ErrorMessage": f"{code} for this entry"})
            else:
                results.append({"EventId": str(uuid.uuid4())})
        return {"FailedEntryCount": sum(1 for r in results if "ErrorCode" in r), "Entries": results}

    def order_ids(self, call: int) -> list[str]:
        return [json.loads(e["Detail"])["order_id"] for e in self.calls[call]]


def publisher(fake: FakeEventBridge, *, retries: int = 2) -> EventPublisher:
    return EventPublisher(BUS, client=fake, retries=retries, backoff_seconds=0)


# --- contracts ------------------------------------------------------------------------------------------


def define(**attributes: Any) -> type[EventDetail]:
    return types.new_class("Contract", (EventDetail,), exec_body=lambda ns: ns.update(attributes))


@pytest.mark.parametrize(
    "source",
    [
        "orders",
        "soko",
        "soko.",
        "soko.Orders",
        "soko.order_s",
        "soko.orders.v2",
        "other.orders",
        "soko.orders2",
        5,
    ],
)
def test_contract_with_bad_source_fails_at_definition(source: Any) -> None:
    with pytest.raises(TypeError, match="SOURCE"):
        define(SOURCE=source, DETAIL_TYPE="OrderPlaced")


@pytest.mark.parametrize(
    "detail_type",
    ["orderPlaced", "Order Placed", "Order_Placed", "OrderPlaced2", "", "O", "order.placed"],
)
def test_contract_with_bad_detail_type_fails_at_definition(detail_type: Any) -> None:
    with pytest.raises(TypeError, match="DETAIL_TYPE"):
        define(SOURCE="soko.orders", DETAIL_TYPE=detail_type)


def test_a_class_with_source_but_no_detail_type_is_an_abstract_base() -> None:
    base = define(SOURCE="soko.orders")  # fixes SOURCE for the concrete contracts below it

    class Placed(base):  # type: ignore[valid-type, misc]
        DETAIL_TYPE: ClassVar[str] = "OrderPlaced"

    assert Placed.SOURCE == "soko.orders"


def test_a_detail_type_needs_a_source() -> None:
    with pytest.raises(TypeError, match="no SOURCE"):
        define(DETAIL_TYPE="OrderPlaced")


def test_contract_with_detail_type_but_no_source_fails_at_definition() -> None:
    with pytest.raises(TypeError, match="SOURCE"):
        define(DETAIL_TYPE="OrderPlaced")


def test_valid_contract_and_abstract_intermediate_are_accepted() -> None:
    abstract = define()
    concrete = types.new_class(
        "PaymentReceived",
        (abstract,),
        exec_body=lambda ns: ns.update(SOURCE="soko.payments", DETAIL_TYPE="PaymentReceived"),
    )

    assert concrete.SOURCE == "soko.payments"
    assert concrete().schema_version == 1


def test_subclass_of_a_contract_inherits_its_source_and_type() -> None:
    class OrderPlacedWithCoupon(OrderPlaced):
        coupon: str = ""

    assert (OrderPlacedWithCoupon.SOURCE, OrderPlacedWithCoupon.DETAIL_TYPE) == ("soko.orders", "OrderPlaced")


@pytest.mark.parametrize(
    ("source", "detail_type"), [("soko.orders\n", "OrderPlaced"), ("soko.orders", "OrderPlaced\n")]
)
def test_contract_with_trailing_newline_fails_at_definition(source: str, detail_type: str) -> None:
    try:
        define(SOURCE=source, DETAIL_TYPE=detail_type)
    except TypeError:
        return
    raise AssertionError(f"accepted SOURCE={source!r} DETAIL_TYPE={detail_type!r}")


def test_contracts_are_frozen_and_ignore_unknown_fields() -> None:
    event = OrderPlaced.model_validate({"order_id": "O1", "total_ugx": 5, "added_later": True})

    assert not hasattr(event, "added_later")
    with pytest.raises(ValidationError):
        event.order_id = "O2"  # type: ignore[misc]


def test_received_event_reads_the_eventbridge_envelope() -> None:
    envelope = {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "OrderPlaced",
        "source": "soko.orders",
        "account": "123456789012",
        "time": "2025-03-01T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"schema_version": 1, "order_id": "O7", "total_ugx": 25000, "future_field": "x"},
    }

    received = ReceivedEvent.model_validate(envelope)

    assert received.detail_type == "OrderPlaced"
    assert received.time.year == 2025
    order = received.parse(OrderPlaced)
    assert (order.order_id, order.total_ugx, order.schema_version) == ("O7", 25000, 1)


@pytest.mark.parametrize("missing", ["id", "source", "detail-type", "time", "detail"])
def test_received_event_requires_the_envelope_fields(missing: str) -> None:
    envelope = {
        "id": "e1",
        "source": "soko.orders",
        "detail-type": "OrderPlaced",
        "time": "2025-03-01T10:00:00Z",
    }
    envelope["detail"] = {}  # type: ignore[assignment]
    del envelope[missing]

    with pytest.raises(ValidationError):
        ReceivedEvent.model_validate(envelope)


def test_received_event_parse_rejects_a_detail_that_does_not_fit() -> None:
    received = ReceivedEvent.model_validate(
        {
            "id": "e1",
            "source": "soko.orders",
            "detail-type": "OrderPlaced",
            "time": "2025-03-01T10:00:00Z",
            "detail": {},
        }
    )

    with pytest.raises(ValidationError):
        received.parse(OrderPlaced)


# --- publishing -------------------------------------------------------------------------------------------


def test_23_events_are_sent_in_3_calls_of_at_most_10_in_order() -> None:
    fake = FakeEventBridge()

    publisher(fake).publish(orders(23))

    assert [len(call) for call in fake.calls] == [10, 10, 3]
    sent = [order_id for i in range(3) for order_id in fake.order_ids(i)]
    assert sent == [f"O{i:03d}" for i in range(23)]
    assert MAX_BATCH == 10


def test_no_events_means_no_call() -> None:
    fake = FakeEventBridge()

    publisher(fake).publish([])

    assert fake.calls == []


def test_entry_fields() -> None:
    fake = FakeEventBridge()
    order = OrderPlaced(order_id="O1", total_ugx=25000, occurred_at=datetime(2025, 3, 1, 10, 0, tzinfo=UTC))

    publisher(fake).publish(
        [order, ListingPublishedV2(listing_id="L9")],
        resources=["arn:aws:dynamodb:us-east-1:123456789012:table/orders"],
    )

    first, second = fake.calls[0]
    assert first["EventBusName"] == BUS
    assert first["Source"] == "soko.orders"
    assert first["DetailType"] == "OrderPlaced"
    assert json.loads(first["Detail"]) == {
        "schema_version": 1,
        "event_id": order.event_id,
        "occurred_at": "2025-03-01T10:00:00Z",
        "order_id": "O1",
        "total_ugx": 25000,
        "note": "",
    }
    assert first["Resources"] == ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"]
    assert (second["Source"], second["DetailType"]) == ("soko.listings", "ListingPublished")
    listing = json.loads(second["Detail"])
    assert listing["schema_version"] == 2
    assert listing["listing_id"] == "L9"
    assert ids.is_ulid(listing["event_id"])
    assert "SOURCE" not in second["Detail"]


def test_every_event_gets_its_own_stable_event_id() -> None:
    fake = FakeEventBridge()
    events = orders(3)

    publisher(fake).publish(events)
    publisher(fake).publish(events)  # re-publishing the same objects (what the outbox relay may do)

    first = [json.loads(e["Detail"])["event_id"] for e in fake.calls[0]]
    again = [json.loads(e["Detail"])["event_id"] for e in fake.calls[1]]
    assert first == again == [e.event_id for e in events]
    assert len(set(first)) == 3
    assert all(ids.is_ulid(i) for i in first)


def test_publish_raw_sends_serialised_triples_verbatim_in_batches() -> None:
    fake = FakeEventBridge()
    triples = [("soko.orders", "OrderPlaced", json.dumps({"order_id": f"O{i:03d}"})) for i in range(12)]

    publisher(fake).publish_raw(triples)

    assert [len(c) for c in fake.calls] == [10, 2]
    sent = [(e["Source"], e["DetailType"], e["Detail"]) for call in fake.calls for e in call]
    assert sent == triples


def test_retryable_failures_retry_only_the_failed_entries_then_succeed() -> None:
    fake = FakeEventBridge(script=[{"O002": "ThrottlingException", "O007": "InternalFailure"}])

    publisher(fake).publish(orders(10))

    assert len(fake.calls) == 2
    assert fake.order_ids(1) == ["O002", "O007"]


def test_retries_happen_per_batch() -> None:
    fake = FakeEventBridge(script=[{}, {"O012": "ServiceUnavailable"}, {}, {}])

    publisher(fake).publish(orders(23))

    assert [len(call) for call in fake.calls] == [10, 10, 1, 3]
    assert fake.order_ids(2) == ["O012"]


def test_retryable_failures_that_persist_raise_after_the_last_retry() -> None:
    always = {"O001": "ThrottlingException"}
    fake = FakeEventBridge(script=[always, always, always, always])

    with pytest.raises(EventPublishError) as raised:
        publisher(fake, retries=2).publish(orders(3))

    assert len(fake.calls) == 3  # the first attempt and two retries
    assert [len(c) for c in fake.calls] == [3, 1, 1]
    assert raised.value.details["failed"] == [
        {
            "detail_type": "OrderPlaced",
            "error_code": "ThrottlingException",
            "error_message": "ThrottlingException for this entry",
        }
    ]


def test_non_retryable_failure_raises_without_retrying_and_lists_failures() -> None:
    fake = FakeEventBridge(script=[{"O001": "AccessDeniedException", "O004": "ThrottlingException"}])

    with pytest.raises(EventPublishError) as raised:
        publisher(fake).publish(orders(5))

    assert len(fake.calls) == 1
    error = raised.value
    assert isinstance(error, DependencyUnavailable)
    assert (error.status, error.code) == (503, "EVENT_PUBLISH_FAILED")
    assert [f["error_code"] for f in error.details["failed"]] == [
        "AccessDeniedException",
        "ThrottlingException",
    ]


def test_detail_over_256_kb_is_a_value_error_and_nothing_is_sent() -> None:
    fake = FakeEventBridge()
    events = [*orders(3), OrderPlaced(order_id="big", total_ugx=1, note="x" * MAX_REQUEST_BYTES)]

    with pytest.raises(ValueError, match="256 KB"):
        publisher(fake).publish(events)

    assert fake.calls == []


def test_bus_name_is_required() -> None:
    with pytest.raises(ValueError, match="bus name"):
        EventPublisher("")


def _order_with_detail_of(size: int) -> OrderPlaced:
    base = len(OrderPlaced(order_id="O1", total_ugx=1).model_dump_json().encode())
    event = OrderPlaced(order_id="O1", total_ugx=1, note="x" * (size - base))
    assert len(event.model_dump_json().encode()) == size
    return event


def test_batches_also_respect_the_256_kb_request_limit() -> None:
    fake = FakeEventBridge()
    events = [_order_with_detail_of(40 * 1024) for _ in range(10)]  # each fine alone; 400 KB together

    publisher(fake).publish(events)

    assert sum(len(c) for c in fake.calls) == 10


def test_entry_size_counts_source_detail_type_and_resources() -> None:
    fake = FakeEventBridge()
    event = _order_with_detail_of(MAX_REQUEST_BYTES)  # the detail alone is exactly at the limit

    with pytest.raises(ValueError, match="256 KB"):
        publisher(fake).publish([event])


# --- against moto ---------------------------------------------------------------------------------------


def test_published_event_reaches_a_rule_target_queue(aws: None) -> None:
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    events.create_event_bus(Name=BUS)
    queue_url = sqs.create_queue(QueueName="orders-placed")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="orders-placed",
        EventBusName=BUS,
        EventPattern=json.dumps({"source": ["soko.orders"], "detail-type": ["OrderPlaced"]}),
    )
    events.put_targets(Rule="orders-placed", EventBusName=BUS, Targets=[{"Id": "queue", "Arn": queue_arn}])

    EventPublisher(BUS).publish(
        [OrderPlaced(order_id="O42", total_ugx=99000), ListingPublishedV2(listing_id="L1")]
    )

    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)["Messages"]
    assert len(messages) == 1  # the listing event does not match the rule
    delivered = json.loads(messages[0]["Body"])
    assert delivered["source"] == "soko.orders"
    assert delivered["detail-type"] == "OrderPlaced"
    detail = {k: v for k, v in delivered["detail"].items() if k not in ("event_id", "occurred_at")}
    assert detail == {"schema_version": 1, "order_id": "O42", "total_ugx": 99000, "note": ""}
    assert ids.is_ulid(delivered["detail"]["event_id"])
    received = ReceivedEvent.model_validate(delivered)  # what a consumer will read
    assert received.parse(OrderPlaced).order_id == "O42"
