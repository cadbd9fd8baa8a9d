"""Notifications: the consumer of order, review and payment events (once per event and recipient,
pushed live when connected) and the REST API (unread first, cursor, read, read-all)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from conftest import User, World

from soko.notifications.dal import NotificationsDal
from soko.shared import aws as soko_aws
from soko.shared import clock, ids
from support.events import eventbridge_event, sqs_event

CONSUMER = "NotificationsConsumerFunction"
LIST, READ, READ_ALL = (
    "NotificationsListFunction",
    "NotificationsReadFunction",
    "NotificationsReadAllFunction",
)


def deliver(
    world: World, source: str, detail_type: str, detail: dict[str, Any], event_id: str | None = None
) -> Any:
    event = eventbridge_event(
        source, detail_type, {"schema_version": 1, "event_id": event_id or uuid.uuid4().hex, **detail}
    )
    answer = world.invoke(CONSUMER, sqs_event(event))
    assert answer == {"batchItemFailures": []}
    return event


def order(buyer: User, farmer: User) -> dict[str, Any]:
    return {
        "order_id": "01JDORDER00000000000000001",
        "listing_id": "01JDLISTING000000000000001",
        "buyer_id": buyer.id,
        "farmer_id": farmer.id,
        "crop": "maize_grain",
        "district": "Gulu",
        "quantity_kg": "100.000",
        "price_per_kg_ugx": 1200,
        "total_ugx": 120000,
    }


def mine(world: World, user: User, **query: str) -> Any:
    status, page, _ = world.http(LIST, "GET", "/notifications/", user, query=query or None)
    assert status == 200
    return page


def test_order_events_notify_the_right_party_and_push_live(world: World) -> None:
    buyer, farmer = world.user("buyer"), world.user("farmer")
    live = world.connect(farmer)
    deliver(world, "soko.orders", "OrderPlaced", order(buyer, farmer))
    (placed,) = mine(world, farmer)["items"]
    assert placed["type"] == "order_placed" and placed["read"] is False
    assert placed["data"]["order_id"] == "01JDORDER00000000000000001"
    pushed = {k: v for k, v in placed.items() if v is not None}
    assert world.connections.received[live] == [{"type": "notification", "notification": pushed}]
    assert mine(world, buyer)["items"] == []
    for kind, expected in (
        ("OrderConfirmed", "order_confirmed"),
        ("OrderRejected", "order_rejected"),
        ("OrderDispatched", "order_dispatched"),
        ("OrderDelivered", "order_delivered"),
        ("OrderCompleted", "order_completed"),
        ("OrderExpired", "order_expired"),
    ):
        deliver(world, "soko.orders", kind, order(buyer, farmer))
        assert mine(world, buyer)["items"][0]["type"] == expected
    deliver(
        world,
        "soko.orders",
        "ReviewSubmitted",
        {"order_id": "o1", "buyer_id": buyer.id, "farmer_id": farmer.id, "rating": 5},
    )
    assert mine(world, farmer)["items"][0]["type"] == "review_received"


def test_a_redelivered_event_never_notifies_twice(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    buyer, farmer = world.user("buyer"), world.user("farmer")
    live = world.connect(buyer)
    for _ in range(3):  # same event id, new EventBridge id each time
        deliver(world, "soko.orders", "OrderConfirmed", order(buyer, farmer), event_id="evt-confirm-1")
    assert len(mine(world, buyer)["items"]) == 1
    assert len(world.connections.received[live]) == 1
    # past the consumer's idempotency record too: the (event id, recipient) key holds
    from soko.notifications import logic  # noqa: PLC0415
    from soko.notifications.deps import notifications  # noqa: PLC0415
    from soko.shared.events import ReceivedEvent  # noqa: PLC0415

    event = {
        "id": "other",
        "source": "soko.orders",
        "detail-type": "OrderConfirmed",
        "time": "2026-11-21T09:30:00Z",
        "detail": {"event_id": "evt-confirm-1", **order(buyer, farmer)},
    }
    from soko.shared import config as soko_config  # noqa: PLC0415

    for name, value in world.deployment.functions[CONSUMER].environment.items():
        monkeypatch.setenv(name, value)  # the consumer's environment, for this test only
    soko_config.load.cache_clear()
    assert logic.on_event(ReceivedEvent.model_validate(event), notifications()) == 0


def test_payment_events_are_read_by_their_documented_fields(world: World) -> None:
    buyer, farmer = world.user("buyer"), world.user("farmer")
    deliver(
        world,
        "soko.payments",
        "PaymentCompleted",
        {
            "payment_id": "p1",
            "order_id": "o1",
            "buyer_id": buyer.id,
            "farmer_id": farmer.id,
            "amount_ugx": 120000,
            "provider": "pesapal",
            "something_new": {"x": 1},
        },
    )
    for scheduled_then_sent in ("PayoutScheduled", "PayoutSent"):  # only a settled payout is "sent"
        deliver(
            world,
            "soko.payments",
            scheduled_then_sent,
            {"payout_id": "po1", "farmer_id": farmer.id, "net_ugx": 114000},
        )
    deliver(
        world, "soko.payments", "PaymentCompleted", {"payment_id": "p2"}
    )  # names no one: nothing, no failure
    (paid,) = mine(world, buyer)["items"]
    assert paid["type"] == "payment_completed" and "UGX 120,000" in paid["body"]
    assert [n["type"] for n in mine(world, farmer)["items"]] == ["payout_sent", "payment_completed"]


def test_unread_first_with_cursor_read_and_read_all(world: World) -> None:
    buyer, farmer, other = world.user("buyer"), world.user("farmer"), world.user("farmer")
    for n in range(4):
        deliver(world, "soko.orders", "OrderPlaced", {**order(buyer, farmer), "order_id": f"o{n}"})
    items = mine(world, farmer)["items"]
    oldest = items[-1]
    status, read, _ = world.http(
        READ, "POST", "/notifications/{id}/read", farmer, params={"id": oldest["id"]}
    )
    assert status == 200 and read["read"] is True and read["read_at"]
    assert world.http(READ, "POST", "/notifications/{id}/read", farmer, params={"id": oldest["id"]})[0] == 200
    status, body, _ = world.http(
        READ, "POST", "/notifications/{id}/read", other, params={"id": items[0]["id"]}
    )
    assert status == 404 and body["error"]["code"] == "NOTIFICATION_NOT_FOUND"

    deliver(world, "soko.orders", "OrderPlaced", {**order(buyer, farmer), "order_id": "o-new"})
    first = mine(world, farmer, limit="2")
    rest = mine(world, farmer, limit="10", cursor=first["next_cursor"])
    listed = first["items"] + rest["items"]
    assert [n["read"] for n in listed] == [False, False, False, False, True]
    assert listed[0]["data"]["order_id"] == "o-new" and listed[-1]["id"] == oldest["id"]
    assert rest["next_cursor"] is None

    status, body, _ = world.http(READ_ALL, "POST", "/notifications/read-all", farmer)
    assert status == 200 and body == {"updated": 4, "remaining": False}
    assert all(n["read"] for n in mine(world, farmer)["items"])
    assert world.http(LIST, "GET", "/notifications/", None)[0] == 401
    status, body, _ = world.http(LIST, "GET", "/notifications/", farmer, query={"cursor": "bogus"})
    assert status == 400


def test_read_all_marks_at_most_100_a_call_and_says_when_more_remain(world: World) -> None:
    farmer = world.user("farmer")
    dal = NotificationsDal(world.deployment.physical["NotificationsTable"])
    for n in range(130):
        dal.create(
            {
                "id": f"n{n:03d}",
                "recipient_id": farmer.id,
                "type": "order_placed",
                "title": "New order",
                "body": "You have a new order.",
                "data": {},
                "read": False,
                "created_at": "2026-11-21T09:30:00Z",
                "seq": ids.ulid(),
            },
            clock.epoch(),
        )
    calls: list[str] = []

    def count(**_: Any) -> None:
        calls.append("UpdateItem")

    events = soko_aws.resource("dynamodb").meta.client.meta.events
    events.register("before-call.dynamodb.UpdateItem", count)
    try:
        status, body, _ = world.http(READ_ALL, "POST", "/notifications/read-all", farmer)
    finally:
        events.unregister("before-call.dynamodb.UpdateItem", count)
    assert status == 200 and body == {"updated": 100, "remaining": True}
    assert len(calls) == 100
    unread = [n for n in mine(world, farmer, limit="100")["items"] if not n["read"]]
    assert len(unread) == 30 and unread[0]["id"] == "n029"  # the newest were marked first
    status, body, _ = world.http(READ_ALL, "POST", "/notifications/read-all", farmer)
    assert status == 200 and body == {"updated": 30, "remaining": False}
    status, body, _ = world.http(READ_ALL, "POST", "/notifications/read-all", farmer)
    assert body == {"updated": 0, "remaining": False}
    assert not any(n["read"] is False for n in mine(world, farmer, limit="100")["items"])
