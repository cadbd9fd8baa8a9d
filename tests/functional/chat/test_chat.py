"""Chat over REST and the WebSocket route: conversations and their members, masking until a trade
is confirmed (originals for admins only), limits, live delivery and the buyer_inquiry event."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from conftest import REGION, World

from soko.chat.dal import ChatDal
from soko.chat.masking import mask
from soko.shared import aws as soko_aws
from soko.shared import clock

SEND, LIST, GET = "MessageSendFunction", "ConversationsListFunction", "ConversationsGetFunction"


def send(world: World, sender: Any, to: Any, text: str, **extra: Any) -> tuple[int, Any, dict[str, str]]:
    return world.http(SEND, "POST", "/message/", sender, {"to_user_id": to.id, "text": text, **extra})


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call me on +256700123456 today", "call me on +2567•••••••• today"),
        ("my number is 0772 123 456", "my number is 0772••••••"),
        ("write to grace.akello@gmail.com please", "write to g•••@•••.com please"),
        # separators of every kind, and runs of them, between the digit groups
        ("ring (0772) 123456 now", "ring 0772•••••• now"),
        ("+256 (772) 123-456", "+2567••••••••"),
        ("(+256) 772 123 456", "+2567••••••••"),
        ("0772 - 123 - 456", "0772••••••"),
        ("0772/123/456", "0772••••••"),
        ("0772.123.456.", "0772••••••."),
        ("0 7 7 2 1 2 3 4 5 6", "0772••••••"),
        ("0-7-7-2-1-2-3-4-5-6", "0772••••••"),
        ("0 - 7 - 7 - 2 - 1 - 2 - 3 - 4 - 5 - 6", "0772••••••"),
        ("0772\u2013123\u2013456", "0772••••••"),
        ("tel0772123456", "tel0772••••••"),
        ("on 2026-11-22 call 0772 123 456", "on 2026-11-22 call 0772••••••"),
        ("22/11/2026 0772123456", "22/11/2026 0772••••••"),
        # any separator at all, as long as the digits are a phone number (issue 14)
        ("0772,123,456", "0772••••••"),
        ("0772_123_456", "0772••••••"),
        ("call 0772_123_456 now", "call 0772•••••• now"),
        ("0772;123;456 or 0772:123:456", "0772•••••• or 0772••••••"),
        ("0772*123#456", "0772••••••"),
        ("0772, 123, 456", "0772••••••"),
        ("0772,123,4567", "0772•••••••"),
        ("772,123,456", "7721•••••"),
        ("256,772,123,456", "2567••••••••"),
        ("+256_772_123_456", "+2567••••••••"),
        ("+254 712 345 678", "+2547••••••••"),
        ("5, 0772123456", "5, 0772••••••"),  # the other items of a list stay readable
        ("call 0772 123 456, 50 kg", "call 0772••••••, 50 kg"),
        ("UGX 1,200,000. 0772 123 456", "UGX 1,200,000. 0772••••••"),
        ("0772. 123. 456", "0772••••••"),
        ("0772\n123\n456", "0772••••••"),
        # emails written out or spaced
        ("grace @ gmail.com", "g•••@•••.com"),
        ("grace @ gmail . com", "g•••@•••.com"),
        ("grace(at)gmail(dot)com", "g•••@•••.com"),
        ("grace [at] gmail [dot] co [dot] ug", "g•••@•••.ug"),
        ("mail grace at gmail dot com", "mail g•••@•••.com"),
    ],
)
def test_masking_hides_phone_numbers_and_emails(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "100 kg at 1200 a kg, 2 bags",
        "500 kg at 1,200 UGX",
        "UGX 1,200,000 for 2,500 kg",
        "between 150,000-200,000 UGX",
        "UGX 1 200 000",
        "2026-11-22",
        "delivery 2026-11-22 14:30, 20 bags",
        "20 2026-11-22",
        "on 22/11/2026 or 23.11.2026",
        "meet at 10.30, grade 1-2, 50-60 kg",
        "call me (after 5)",
        "+256",
        # thousands commas and lists of amounts stay readable, whatever joins them
        "700,000, 800,000",
        "Price 1,200,000/1,500,000",
        "5, 10, 20, 50, 100, 200, 500",
        "sizes 10_20_30",
        # an @ or an 'at' is not an email by itself
        "100 kg @ 1200. Ok",
        "I am at home. Come",
        "meet at the market. com",
    ],
)
def test_masking_leaves_ordinary_numbers_alone(text: str) -> None:
    assert mask(text) == text


def test_a_message_before_any_confirmed_order_is_masked_and_the_original_is_for_admins(world: World) -> None:
    buyer, farmer, admin, stranger = (world.user(r) for r in ("buyer", "farmer", "admin", "buyer"))
    status, message, _ = send(world, buyer, farmer, "Call me: +256 772 123 456 or okello@example.com")
    assert status == 201
    assert message["masked"] is True
    assert "772 123" not in message["text"] and "okello@" not in message["text"]
    assert message.get("original_text") is None

    for user in (buyer, farmer):
        status, page, _ = world.http(
            GET, "GET", "/message/conversations/{id}", user, params={"id": message["conversation_id"]}
        )
        assert status == 200
        assert [m["text"] for m in page["items"]] == [message["text"]]
        assert page["items"][0].get("original_text") is None
    status, page, _ = world.http(
        GET, "GET", "/message/conversations/{id}", admin, params={"id": message["conversation_id"]}
    )
    assert status == 200 and page["items"][0]["original_text"].startswith("Call me: +256 772 123 456")
    # membership: anyone else is told the conversation does not exist
    status, body, _ = world.http(
        GET, "GET", "/message/conversations/{id}", stranger, params={"id": message["conversation_id"]}
    )
    assert status == 404 and body["error"]["code"] == "CONVERSATION_NOT_FOUND"


@pytest.mark.parametrize("statuses", [("confirmed",), ("confirmed", "paid", "delivered")])
def test_after_a_confirmed_order_contact_details_go_through(world: World, statuses: tuple[str, ...]) -> None:
    buyer, farmer = world.user("buyer"), world.user("farmer")
    world.order(buyer, farmer, *statuses)
    for sender, recipient in ((farmer, buyer), (buyer, farmer)):  # either direction
        _, message, _ = send(world, sender, recipient, "Call me on 0772123456")
        assert message["masked"] is False and message["text"] == "Call me on 0772123456"


def test_a_pending_or_refused_order_does_not_unmask(world: World) -> None:
    buyer, farmer = world.user("buyer"), world.user("farmer")
    world.order(buyer, farmer)
    world.order(buyer, farmer, "rejected")
    world.order(buyer, farmer, "confirmed", "rejected")  # confirmed, then the farmer could not deliver
    _, message, _ = send(world, buyer, farmer, "0772123456")
    assert message["masked"] is True
    world.order(buyer, farmer, "confirmed")
    _, message, _ = send(world, buyer, farmer, "0772123456")
    assert message["masked"] is False


def test_the_trade_check_is_one_read_however_many_orders_the_users_have(world: World) -> None:
    buyer, farmer, other_farmer = world.user("buyer"), world.user("farmer"), world.user("farmer")
    for _ in range(3):
        world.order(buyer, other_farmer, "confirmed")
    calls: list[tuple[str, str]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append((str(params.get("TableName")), str(params.get("IndexName", ""))))

    market = world.deployment.physical["MarketTable"]
    events = soko_aws.resource("dynamodb").meta.client.meta.events
    events.register("before-parameter-build.dynamodb.Query", record)
    events.register("before-parameter-build.dynamodb.GetItem", record)
    try:
        _, message, _ = send(world, buyer, farmer, "0772123456")
    finally:
        events.unregister("before-parameter-build.dynamodb.Query", record)
        events.unregister("before-parameter-build.dynamodb.GetItem", record)
    assert message["masked"] is True
    assert [call for call in calls if call[0] == market] == [(market, "")]  # one GetItem, no Query


def test_conversations_newest_first_with_cursor_and_messages_paginated(world: World) -> None:
    me, a, b = world.user("buyer"), world.user("farmer"), world.user("farmer")
    for n in range(3):
        send(world, me, a, f"to a {n}")
    send(world, b, me, "from b")
    status, page, _ = world.http(LIST, "GET", "/message/conversations", me, query={"limit": "1"})
    assert status == 200 and page["items"][0]["other_user_id"] == b.id and page["next_cursor"]
    _, rest, _ = world.http(
        LIST, "GET", "/message/conversations", me, query={"limit": "5", "cursor": page["next_cursor"]}
    )
    assert [c["other_user_id"] for c in rest["items"]] == [a.id] and rest["next_cursor"] is None

    conversation = rest["items"][0]["id"]
    _, first, _ = world.http(
        GET, "GET", "/message/conversations/{id}", me, params={"id": conversation}, query={"limit": "2"}
    )
    assert [m["text"] for m in first["items"]] == ["to a 2", "to a 1"]
    _, second, _ = world.http(
        GET,
        "GET",
        "/message/conversations/{id}",
        me,
        params={"id": conversation},
        query={"limit": "2", "cursor": first["next_cursor"]},
    )
    assert [m["text"] for m in second["items"]] == ["to a 0"]
    # someone else's cursor (another list) is a 400
    status, body, _ = world.http(
        LIST, "GET", "/message/conversations", a, query={"cursor": first["next_cursor"]}
    )
    assert status == 400 and body["error"]["code"] == "INVALID_CURSOR"


def test_bad_messages(world: World) -> None:
    buyer, farmer = world.user("buyer"), world.user("farmer")
    assert send(world, buyer, farmer, "x" * 2001)[0] == 422
    assert send(world, buyer, farmer, "x" * 2000)[0] == 201
    assert send(world, buyer, farmer, "   ")[0] == 422
    assert send(world, buyer, buyer, "hello me")[0] == 422
    status, body, _ = world.http(
        SEND, "POST", "/message/", buyer, {"to_user_id": "01JDNOSUCHUSER00000000000", "text": "hi"}
    )
    assert status == 404 and body["error"]["code"] == "USER_NOT_FOUND"
    assert world.http(SEND, "POST", "/message/", None, {"to_user_id": farmer.id, "text": "hi"})[0] == 401
    assert world.http(LIST, "GET", "/message/conversations", None)[0] == 401


def test_a_listing_id_must_name_a_listing_of_one_of_the_two(world: World) -> None:
    """The listing id is shown to the recipient unmasked and carried to matching: free text there
    would pass a phone number (issue 14)."""
    buyer, farmer, other_farmer = world.user("buyer"), world.user("farmer"), world.user("farmer")
    theirs, elsewhere = world.listing(farmer), world.listing(other_farmer)

    status, message, _ = send(world, buyer, farmer, "is it dry?", listing_id=theirs)
    assert status == 201 and message["listing_id"] == theirs
    status, message, _ = send(world, farmer, buyer, "see my listing", listing_id=theirs)
    assert status == 201 and message["listing_id"] == theirs  # the sender's own listing

    for free_text in ("0772123456", "256772123456", "01JDNOSUCHLISTING000000000"):
        status, body, _ = send(world, buyer, farmer, "hi", listing_id=free_text)
        assert status == 404 and body["error"]["code"] == "LISTING_NOT_FOUND", free_text
        assert free_text not in json.dumps(body)  # never echoed
    for malformed in ("0772 123 456", "0772,123,456", "+256772123456", "a@b.co", "", "x" * 65):
        status, body, _ = send(world, buyer, farmer, "hi", listing_id=malformed)
        (refused,) = body["error"]["details"]["fields"]
        assert status == 422 and refused["field"] == "body.listing_id", malformed
    status, body, _ = send(world, buyer, farmer, "hi", listing_id=elsewhere)
    assert status == 422 and body["error"]["code"] == "LISTING_NOT_IN_CONVERSATION"

    status, page, _ = world.http(
        GET, "GET", "/message/conversations/{id}", buyer, params={"id": message["conversation_id"]}
    )
    assert status == 200 and len(page["items"]) == 2  # nothing refused was stored


def test_thirty_messages_a_minute_then_429_with_retry_after(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One minute, however long the burst takes on a busy machine: 12:00:15 for every message.
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 22, 12, 0, 15, tzinfo=UTC))
    buyer, farmer = world.user("buyer"), world.user("farmer")
    statuses = [send(world, buyer, farmer, f"m{n}")[0] for n in range(30)]
    assert set(statuses) == {201}
    status, body, headers = send(world, buyer, farmer, "one too many")
    assert status == 429 and body["error"]["code"] == "MESSAGE_RATE_LIMITED"
    assert headers["Retry-After"] == "45"
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 22, 12, 1, 0, tzinfo=UTC))
    assert send(world, buyer, farmer, "the next minute")[0] == 201
    other = world.user("buyer")
    assert send(world, other, farmer, "another sender is not limited")[0] == 201


def test_idempotency_key_sends_once(world: World) -> None:
    buyer, farmer = world.user("buyer"), world.user("farmer")
    headers = {"idempotency-key": "msg-key-000001"}
    _, first, _ = world.http(
        SEND, "POST", "/message/", buyer, {"to_user_id": farmer.id, "text": "hi"}, headers=headers
    )
    _, again, _ = world.http(
        SEND, "POST", "/message/", buyer, {"to_user_id": farmer.id, "text": "hi"}, headers=headers
    )
    assert first["id"] == again["id"]
    _, page, _ = world.http(
        GET, "GET", "/message/conversations/{id}", buyer, params={"id": first["conversation_id"]}
    )
    assert len(page["items"]) == 1


def _inquiry_outbox(world: World, buyer: Any) -> list[dict[str, Any]]:
    """The BuyerInquired outbox items of ``buyer`` in the chat table (a test may Scan)."""
    table = boto3.resource("dynamodb", region_name=REGION).Table(world.deployment.physical["ChatTable"])
    items = table.scan()["Items"]
    return [
        item
        for item in items
        if str(item["pk"]).startswith("OUTBOX#")
        and item["detail_type"] == "BuyerInquired"
        and json.loads(str(item["detail"]))["buyer_id"] == buyer.id
    ]


def _relay_chat_stream(world: World, buyer: Any) -> list[dict[str, Any]]:
    """Runs ``buyer``'s outbox records of the chat table's stream through ChatOutboxRelayFunction
    (filtered as the template's FilterCriteria does) and returns what reached the bus, through a
    queue subscribed for the test."""
    events, sqs = boto3.client("events", region_name=REGION), boto3.client("sqs", region_name=REGION)
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    bus = world.deployment.functions["ChatOutboxRelayFunction"].environment["EVENT_BUS_NAME"]
    url = sqs.create_queue(QueueName=f"inquiries-{buyer.id}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {"detail-type": ["BuyerInquired"], "detail": {"buyer_id": [buyer.id]}}
    events.put_rule(Name=f"inquiries-{buyer.id}", EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=f"inquiries-{buyer.id}", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    stream = boto3.client("dynamodb", region_name=REGION).describe_table(
        TableName=world.deployment.physical["ChatTable"]
    )["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            records += [
                r
                for r in json.loads(json.dumps(page["Records"], default=str))
                if r["eventName"] == "INSERT"
                and r["dynamodb"]["Keys"]["pk"]["S"].startswith("OUTBOX#")
                and buyer.id in r["dynamodb"]["NewImage"]["detail"]["S"]
            ]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    assert world.invoke("ChatOutboxRelayFunction", {"Records": records}) == {"batchItemFailures": []}
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_a_buyers_first_message_to_a_farmer_records_one_buyer_inquiry_in_its_transaction(
    world: World,
) -> None:
    buyer, farmer, other_buyer = world.user("buyer"), world.user("farmer"), world.user("buyer")
    listing = world.listing(farmer)
    status, first, _ = send(world, buyer, farmer, "first", listing_id=listing)
    assert status == 201, first
    (item,) = _inquiry_outbox(world, buyer)
    assert item["source"] == "soko.messaging" and item["sk"] == "EVENT"
    assert json.loads(str(item["detail"]))["conversation_id"] == first["conversation_id"]
    send(world, buyer, farmer, "second")
    send(world, farmer, buyer, "a farmer's reply is no inquiry")
    send(world, buyer, other_buyer, "buyer to buyer is no inquiry")
    assert _inquiry_outbox(world, buyer) == [item]

    bodies = _relay_chat_stream(world, buyer)
    assert [
        (
            b["source"],
            b["detail"]["interaction"],
            b["detail"]["buyer_id"],
            b["detail"]["farmer_id"],
            b["detail"]["listing_id"],
        )
        for b in bodies
    ] == [("soko.messaging", "buyer_inquiry", buyer.id, farmer.id, listing)]


def test_two_first_messages_at_once_store_both_and_one_inquiry(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both senders saw no marker yet: the second transaction loses the marker's condition and the
    message is stored without an event."""
    monkeypatch.setattr(ChatDal, "has_inquired", lambda self, buyer, farmer: False)
    buyer, farmer = world.user("buyer"), world.user("farmer")
    assert send(world, buyer, farmer, "one")[0] == 201
    status, second, _ = send(world, buyer, farmer, "two")
    assert status == 201
    _, page, _ = world.http(
        GET, "GET", "/message/conversations/{id}", buyer, params={"id": second["conversation_id"]}
    )
    assert [m["text"] for m in page["items"]] == ["two", "one"]
    assert len(_inquiry_outbox(world, buyer)) == 1


def test_live_delivery_to_every_open_connection_and_a_gone_one_is_removed(world: World) -> None:
    buyer, farmer = world.user("buyer"), world.user("farmer")
    phone, laptop = world.connect(farmer), world.connect(farmer)
    world.connections.gone.add(laptop)  # closed without $disconnect
    _, message, _ = send(world, buyer, farmer, "live?")
    pushed = {k: v for k, v in message.items() if v is not None}
    assert world.connections.received[phone] == [{"type": "message", "message": pushed}]
    table = boto3.resource("dynamodb", region_name=REGION).Table(
        world.deployment.physical["ConnectionsTable"]
    )
    left = table.query(
        KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": f"USER#{farmer.id}"}
    )["Items"]
    assert [item["connection_id"] for item in left] == [phone]
    send(world, buyer, farmer, "again")
    assert len(world.connections.received[phone]) == 2 and laptop not in world.connections.received


def test_the_websocket_route_sends_and_answers_on_the_senders_connection(world: World) -> None:
    buyer, farmer = world.user("buyer"), world.user("farmer")
    mine, theirs = world.connect(buyer), world.connect(farmer)
    event = world.ws_event(
        "sendMessage", buyer, mine, {"action": "sendMessage", "to_user_id": farmer.id, "text": "via ws"}
    )
    assert world.invoke("WsSendMessageFunction", event)["statusCode"] == 200
    (ack,) = world.connections.received[mine]
    assert ack["type"] == "message_sent" and ack["message"]["text"] == "via ws"
    assert world.connections.received[theirs] == [{"type": "message", "message": ack["message"]}]
    bad = world.ws_event(
        "sendMessage", buyer, mine, {"action": "sendMessage", "to_user_id": farmer.id, "text": "x" * 2001}
    )
    assert world.invoke("WsSendMessageFunction", bad)["statusCode"] == 400
    assert world.connections.received[mine][-1]["error"]["code"] == "VALIDATION_ERROR"
    phone = world.ws_event(
        "sendMessage",
        buyer,
        mine,
        {"action": "sendMessage", "to_user_id": farmer.id, "text": "hi", "listing_id": "0772123456"},
    )
    assert world.invoke("WsSendMessageFunction", phone)["statusCode"] == 400
    assert world.connections.received[mine][-1]["error"]["code"] == "LISTING_NOT_FOUND"


def test_disconnect_forgets_the_connection(world: World) -> None:
    farmer = world.user("farmer")
    connection = world.connect(farmer)
    world.invoke("WsDisconnectFunction", world.ws_event("$disconnect", farmer, connection))
    send(world, world.user("buyer"), farmer, "nobody home")
    assert connection not in world.connections.received
