"""Chat and notifications against the real application under the local runtime, with two real
WebSocket clients (the ``websockets`` library's): live delivery of a message
and of an order notification, offline users finding both later, masking before and after the
order is confirmed, membership, the per-minute limit, and a disconnect mid-delivery."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import time
import urllib.parse
import uuid
from typing import Any

import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from .test_market import TIMEOUT, User, create_listing, new_user, placed, set_status


class Client:
    """A WebSocket client: connect with ``?token=``, send JSON, wait for JSON of a given type."""

    def __init__(self, url: str, token: str | None) -> None:
        query = f"?token={urllib.parse.quote(token)}" if token is not None else ""
        self.received: list[dict[str, Any]] = []
        self.ws: ClientConnection | None = None
        try:
            # legacy=True: returns the connection itself (each test closes its clients)
            self.ws = connect(f"{url}/{query}", open_timeout=TIMEOUT, close_timeout=5, legacy=True)
        except InvalidStatus as refused:
            self.status = refused.response.status_code
        else:
            self.status = self.ws.response.status_code if self.ws.response else 0

    def send(self, body: dict[str, Any]) -> None:
        assert self.ws is not None
        self.ws.send(json.dumps(body))

    def wait_for(self, kind: str, timeout: float = 30) -> dict[str, Any]:
        assert self.ws is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for item in self.received:
                if item.get("type") == kind:
                    self.received.remove(item)
                    return item
            with contextlib.suppress(TimeoutError):
                message = self.ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                if isinstance(message, str):
                    self.received.append(json.loads(message))
        raise AssertionError(f"no {kind} arrived; got {self.received}")

    def close(self, clean: bool = True) -> None:
        """A close frame first, or (``clean=False``) the connection reset as when a phone drops off
        the network."""
        assert self.ws is not None
        if clean:
            self.ws.close()
            return
        self.ws.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.ws.socket.close()


def ws_url(soko: Any) -> str:
    return str(soko.endpoints["websocket"]["WebSocketApi"]["url"])


def messages(soko: Any, http: requests.Session, user: User, conversation: str) -> list[dict[str, Any]]:
    response = http.get(
        f"{soko.url}/message/conversations/{conversation}",
        headers=user.headers,
        params={"limit": 100},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def notifications(soko: Any, http: requests.Session, user: User) -> list[dict[str, Any]]:
    response = http.get(f"{soko.url}/notifications/", headers=user.headers, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_connect_needs_a_valid_token(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    assert soko.endpoints["websocket"]["WebSocketApi"]["connections"].startswith("http://")
    assert Client(ws_url(soko), None).status == 401
    assert Client(ws_url(soko), "not-a-token").status == 403
    buyer = new_user(soko, http, "buyer")
    client = Client(ws_url(soko), buyer.token)
    assert client.status == 101
    client.close()


def test_live_chat_and_notifications_masking_and_offline_catch_up(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    farmer, buyer, stranger = (
        new_user(soko, http, "farmer"),
        new_user(soko, http, "buyer"),
        new_user(soko, http, "buyer"),
    )
    farmer_ws, buyer_ws = Client(ws_url(soko), farmer.token), Client(ws_url(soko), buyer.token)
    assert (farmer_ws.status, buyer_ws.status) == (101, 101)

    # a message over the socket arrives live, masked (no confirmed order yet)
    buyer_ws.send({"action": "sendMessage", "to_user_id": farmer.id, "text": "Call me on 0772 123 456"})
    sent = buyer_ws.wait_for("message_sent")["message"]
    live = farmer_ws.wait_for("message")["message"]
    assert live == sent and live["masked"] is True and "123 456" not in live["text"]

    # an order notification arrives live (bus -> queue -> consumer -> @connections)
    listing = create_listing(soko, http, farmer)
    the_order = placed(soko, http, buyer, listing["id"], "5")
    note = farmer_ws.wait_for("notification")["notification"]
    assert note["type"] == "order_placed" and note["data"]["order_id"] == the_order["id"]

    # the farmer goes offline; what happens meanwhile is found later
    farmer_ws.close()
    response = http.post(
        f"{soko.url}/message/",
        json={"to_user_id": farmer.id, "text": "are you there?"},
        headers=buyer.headers,
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text
    conversation = response.json()["conversation_id"]
    assert set_status(soko, http, farmer, the_order["id"], "confirmed").status_code == 200
    assert buyer_ws.wait_for("notification")["notification"]["type"] == "order_confirmed"
    assert messages(soko, http, farmer, conversation)[0]["text"] == "are you there?"
    assert "order_placed" in [n["type"] for n in notifications(soko, http, farmer)]

    # after confirmation, contact details go through
    response = http.post(
        f"{soko.url}/message/",
        json={"to_user_id": farmer.id, "text": "0772 123 456"},
        headers=buyer.headers,
        timeout=TIMEOUT,
    )
    assert response.json()["masked"] is False and response.json()["text"] == "0772 123 456"
    # membership: nobody else reads the conversation
    response = http.get(
        f"{soko.url}/message/conversations/{conversation}", headers=stranger.headers, timeout=TIMEOUT
    )
    assert response.status_code == 404
    buyer_ws.close()


def connection_rows(soko: Any, user: User) -> list[str]:
    """The user's rows in the connections table of the running stack (its own DynamoDB)."""
    table = soko.client("cloudformation").describe_stack_resource(
        StackName=soko.endpoints["stack_name"], LogicalResourceId="ConnectionsTable"
    )["StackResourceDetail"]["PhysicalResourceId"]
    items = soko.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"USER#{user.id}"}},
        ConsistentRead=True,
    )["Items"]
    return [item["connection_id"]["S"] for item in items]


def add_ghost_connection(soko: Any, user: User) -> str:
    """A connection row whose socket died without ``$disconnect`` ever running (API Gateway only
    tries to deliver ``$disconnect``): the gateway answers 410 for it."""
    table = soko.client("cloudformation").describe_stack_resource(
        StackName=soko.endpoints["stack_name"], LogicalResourceId="ConnectionsTable"
    )["StackResourceDetail"]["PhysicalResourceId"]
    ghost = f"ghost{uuid.uuid4().hex[:8]}="
    soko.client("dynamodb").put_item(
        TableName=table,
        Item={
            "pk": {"S": f"USER#{user.id}"},
            "sk": {"S": f"CONN#{ghost}"},
            "connection_id": {"S": ghost},
            "connected_at": {"S": "2026-11-21T09:30:00Z"},
            "expires_at": {"N": str(int(time.time()) + 3600)},
        },
    )
    return ghost


def test_rate_limit_and_a_disconnect_mid_delivery_loses_nothing(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    farmer, buyer = new_user(soko, http, "farmer"), new_user(soko, http, "buyer")
    if time.gmtime().tm_sec > 40:  # keep the burst inside one minute
        time.sleep(61 - time.gmtime().tm_sec)
    phone, laptop = Client(ws_url(soko), farmer.token), Client(ws_url(soko), farmer.token)
    assert (phone.status, laptop.status) == (101, 101)
    ghost = add_ghost_connection(soko, farmer)
    assert len(connection_rows(soko, farmer)) == 3
    sent = []
    for n in range(30):
        if n == 3:
            phone.close(clean=False)  # the socket dies mid-burst, no close frame
        response = http.post(
            f"{soko.url}/message/",
            json={"to_user_id": farmer.id, "text": f"m{n} {uuid.uuid4().hex[:4]}"},
            headers=buyer.headers,
            timeout=TIMEOUT,
        )
        assert response.status_code == 201, response.text
        sent.append(response.json())
        if n == 0:  # the first push met the 410 of the dead connection, which is then forgotten
            assert ghost not in connection_rows(soko, farmer)
    response = http.post(
        f"{soko.url}/message/",
        json={"to_user_id": farmer.id, "text": "31st"},
        headers=buyer.headers,
        timeout=TIMEOUT,
    )
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    # nothing is lost: all stored, and the connection that stayed open received every one, in order
    stored = messages(soko, http, farmer, sent[0]["conversation_id"])
    assert [m["id"] for m in stored] == [m["id"] for m in reversed(sent)]
    live = [laptop.wait_for("message")["message"]["id"] for _ in sent]
    assert live == [m["id"] for m in sent]
    # the dead connections are gone from the table: only the open one is left
    deadline = time.monotonic() + 10
    while len(connection_rows(soko, farmer)) != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(connection_rows(soko, farmer)) == 1 and ghost not in connection_rows(soko, farmer)
    laptop.close()
