"""The local WebSocket gateway (soko_local.websocket) over real sockets, with a fake invoke in place
of the runtime's functions: the RFC 6455 handshake and messages of every frame-length encoding,
$connect behind the REQUEST authorizer (refused before the connection exists), route selection,
$disconnect exactly once however a connection ends, and the @connections API on the same port
(through boto3, as the functions call it). Also the WebSocket API read from the translated
template."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from soko_local.template import AppModel
from soko_local.websocket import MAX_MESSAGE, WebSocketApiDef, WebSocketGateway, websocket_apis

API = WebSocketApiDef(
    logical_id="TestApi",
    selection_field="action",
    routes={
        "$connect": "Connect",
        "$disconnect": "Disconnect",
        "$default": "Default",
        "sendMessage": "Send",
        "fail": "Fail",
    },
    connect_authorizer="Auth",
    identity_query=("token",),
)
WAIT_S = 10.0


class Functions:
    """The API's functions: records every invocation; the authorizer allows the token "good" (and
    "refuse", whose $connect then answers 403)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.changed = threading.Condition()

    def __call__(self, logical_id: str, event: dict[str, Any]) -> tuple[bool, Any]:
        with self.changed:
            self.calls.append((logical_id, event))
            self.changed.notify_all()
        if logical_id == "Auth":
            token = event["queryStringParameters"].get("token")
            effect = "Allow" if token in ("good", "refuse") else "Deny"
            statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
            return True, {
                "principalId": "user-1",
                "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
                "context": {"userId": "user-1", "role": "buyer"},
            }
        if logical_id == "Connect":
            refused = event["queryStringParameters"].get("token") == "refuse"
            return True, {"statusCode": 403 if refused else 200}
        if logical_id == "Fail":
            return False, {"errorType": "Boom"}
        return True, {"statusCode": 200}

    def of(self, logical_id: str) -> list[dict[str, Any]]:
        with self.changed:
            return [event for name, event in self.calls if name == logical_id]

    def wait_for(self, logical_id: str, count: int = 1) -> list[dict[str, Any]]:
        deadline = time.monotonic() + WAIT_S
        with self.changed:
            while len([1 for name, _ in self.calls if name == logical_id]) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{logical_id} was invoked fewer than {count} times: {self.calls}"
                self.changed.wait(left)
        return self.of(logical_id)


@pytest.fixture
def functions() -> Functions:
    return Functions()


@pytest.fixture
def gateway(functions: Functions) -> Iterator[WebSocketGateway]:
    served = WebSocketGateway(API, functions)
    served.start()
    yield served
    served.stop()


def open_client(gateway: WebSocketGateway, token: str = "good") -> ClientConnection:
    return connect(f"{gateway.url}/?token={token}", open_timeout=WAIT_S, close_timeout=2)


def connection_id(functions: Functions, n: int = 0) -> str:
    return str(functions.wait_for("Connect", n + 1)[n]["requestContext"]["connectionId"])


def raw_handshake(gateway: WebSocketGateway, key: str, token: str = "good") -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=WAIT_S)
    sock.sendall(
        (
            f"GET /?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{gateway.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        assert chunk, head
        head += chunk
    return sock, head


# ---------------------------------------------------------------------------- the protocol
def test_the_rfc_6455_sample_handshake_key(gateway: WebSocketGateway) -> None:
    sock, head = raw_handshake(gateway, "dGhlIHNhbXBsZSBub25jZQ==")
    with sock:
        lines = head.decode().split("\r\n")
        assert lines[0].startswith("HTTP/1.1 101")
        assert "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in lines


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536])
@pytest.mark.parametrize("direction", ["client to route", "@connections to client"])
def test_frames_round_trip_at_every_length_encoding(
    gateway: WebSocketGateway, functions: Functions, size: int, direction: str
) -> None:
    payload = "".join(chr(0x61 + n % 26) for n in range(size))
    with open_client(gateway) as client:
        if direction == "client to route":
            client.send(payload)
            assert functions.wait_for("Default")[0]["body"] == payload
        else:
            url = f"{gateway.management_url}/@connections/{connection_id(functions)}"
            assert requests.post(url, data=payload.encode(), timeout=WAIT_S).status_code == 200
            assert client.recv(timeout=WAIT_S) == payload


def test_a_message_over_the_limit_closes_the_connection(
    gateway: WebSocketGateway, functions: Functions
) -> None:
    with open_client(gateway) as client:
        client.send("x" * (MAX_MESSAGE + 1))
        with pytest.raises(ConnectionClosed) as closed:
            client.recv(timeout=WAIT_S)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    assert functions.of("Default") == []
    functions.wait_for("Disconnect")


def test_a_truncated_frame_is_a_closed_connection(gateway: WebSocketGateway, functions: Functions) -> None:
    sock, head = raw_handshake(gateway, base64.b64encode(os.urandom(16)).decode())
    assert head.startswith(b"HTTP/1.1 101")
    frame = bytes([0x81, 0x80 | 5]) + os.urandom(4) + b"hel"  # 5 masked bytes announced, 3 sent
    sock.sendall(frame)
    sock.close()
    (disconnect,) = functions.wait_for("Disconnect")
    assert disconnect["requestContext"]["connectionId"] == connection_id(functions)
    assert functions.of("Default") == [] and gateway.connections == {}


def test_a_binary_message_closes_the_connection_with_1003(
    gateway: WebSocketGateway, functions: Functions
) -> None:
    with open_client(gateway) as client:
        client.send(b"\x00\x01")
        with pytest.raises(ConnectionClosed) as closed:
            client.recv(timeout=WAIT_S)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1003
    functions.wait_for("Disconnect")


# ---------------------------------------------------------------------------- $connect
@pytest.mark.parametrize(("token", "status"), [(None, 401), ("", 401), ("bad", 403), ("refuse", 403)])
def test_a_refused_connect_never_exists(
    gateway: WebSocketGateway, functions: Functions, token: str | None, status: int
) -> None:
    url = gateway.url + ("/" if token is None else f"/?token={token}")
    with pytest.raises(InvalidStatus) as refused:
        connect(url, open_timeout=WAIT_S)
    assert refused.value.response.status_code == status
    assert gateway.connections == {}
    assert len(functions.of("Auth")) == (0 if status == 401 else 1)  # no identity: never asked
    assert len(functions.of("Connect")) == (1 if token == "refuse" else 0)
    assert functions.of("Disconnect") == []


def test_the_authorizers_context_reaches_every_route(gateway: WebSocketGateway, functions: Functions) -> None:
    with open_client(gateway) as client:
        (connect_event,) = functions.wait_for("Connect")
        assert connect_event["queryStringParameters"] == {"token": "good"}
        assert connect_event["headers"]["upgrade"] == "websocket"
        client.send(json.dumps({"action": "sendMessage", "text": "hi"}))
        (sent,) = functions.wait_for("Send")
    (disconnect,) = functions.wait_for("Disconnect")
    context = {"principalId": "user-1", "userId": "user-1", "role": "buyer"}
    for event, kind in ((connect_event, "CONNECT"), (sent, "MESSAGE"), (disconnect, "DISCONNECT")):
        assert event["requestContext"]["authorizer"] == context
        assert event["requestContext"]["eventType"] == kind
        assert event["requestContext"]["connectionId"] == connect_event["requestContext"]["connectionId"]
    assert sent["requestContext"]["routeKey"] == "sendMessage" and json.loads(sent["body"])["text"] == "hi"


def test_routes_are_selected_on_the_action_field(gateway: WebSocketGateway, functions: Functions) -> None:
    with open_client(gateway) as client:
        client.send(json.dumps({"action": "nothing-like-it"}))
        client.send("not json")
        client.send(json.dumps({"action": "fail"}))
        reply = json.loads(client.recv(timeout=WAIT_S))
        assert reply == {"message": "Internal server error", "connectionId": connection_id(functions)}
    assert [e["requestContext"]["routeKey"] for e in functions.of("Default")] == ["$default", "$default"]
    assert len(functions.of("Fail")) == 1


def test_without_a_default_route_an_unknown_action_is_forbidden(functions: Functions) -> None:
    api = WebSocketApiDef("NoDefault", "action", {"sendMessage": "Send"}, None, ())
    served = WebSocketGateway(api, functions)
    served.start()
    try:
        with connect(served.url, open_timeout=WAIT_S) as client:
            client.send(json.dumps({"action": "other"}))
            reply = json.loads(client.recv(timeout=WAIT_S))
        assert reply["message"] == "Forbidden" and reply["connectionId"]
        assert functions.calls == []  # no authorizer, no $connect, no route
    finally:
        served.stop()


# ---------------------------------------------------------------------------- @connections
def test_connections_api_through_boto3(gateway: WebSocketGateway, functions: Functions) -> None:
    management = boto3.client(
        "apigatewaymanagementapi", endpoint_url=gateway.management_url, region_name="us-east-1"
    )
    with open_client(gateway) as client:
        known = connection_id(functions)
        management.post_to_connection(ConnectionId=known, Data=json.dumps({"type": "ping"}).encode())
        assert json.loads(client.recv(timeout=WAIT_S)) == {"type": "ping"}
        described = management.get_connection(ConnectionId=known)
        assert described["ResponseMetadata"]["HTTPStatusCode"] == 200
        with pytest.raises(management.exceptions.GoneException):
            management.post_to_connection(ConnectionId="nobody=", Data=b"{}")
        management.delete_connection(ConnectionId=known)
        assert len(functions.of("Disconnect")) == 1  # ran before DELETE answered
        with pytest.raises(ConnectionClosed):
            client.recv(timeout=WAIT_S)
    with pytest.raises(management.exceptions.GoneException):
        management.post_to_connection(ConnectionId=known, Data=b"{}")
    assert len(functions.of("Disconnect")) == 1


def test_other_paths_are_not_found(gateway: WebSocketGateway) -> None:
    response = requests.get(f"{gateway.management_url}/elsewhere", timeout=WAIT_S)
    assert response.status_code == 404 and response.json() == {"message": "Not Found"}


def test_a_connection_that_drops_is_gone_and_disconnected_once(
    gateway: WebSocketGateway, functions: Functions
) -> None:
    with open_client(gateway) as client:
        known = connection_id(functions)
        client.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.socket.shutdown(socket.SHUT_RDWR)  # the socket dies, no close frame: a phone off the network
        client.socket.close()
        functions.wait_for("Disconnect")
    url = f"{gateway.management_url}/@connections/{known}"
    response = requests.post(url, data=b"{}", timeout=WAIT_S)
    assert response.status_code == 410 and response.headers["x-amzn-ErrorType"] == "GoneException"
    time.sleep(0.2)
    assert len(functions.of("Disconnect")) == 1


def test_stopping_the_gateway_disconnects_its_connections(functions: Functions) -> None:
    served = WebSocketGateway(API, functions)
    served.start()
    with open_client(served) as first, open_client(served) as second:
        functions.wait_for("Connect", 2)
        served.stop()
        assert len(functions.of("Disconnect")) == 2 and served.connections == {}
        for client in (first, second):
            with pytest.raises(ConnectionClosed):
                client.recv(timeout=WAIT_S)


# ---------------------------------------------------------------------------- the template
def test_the_template_websocket_api(app_model: AppModel) -> None:
    (api,) = websocket_apis(app_model.cfn)
    assert api.selection_field == "action"
    assert api.routes == {
        "$connect": "WsConnectFunction",
        "$disconnect": "WsDisconnectFunction",
        "sendMessage": "WsSendMessageFunction",
    }
    assert (api.connect_authorizer, api.identity_query) == ("WsAuthorizerFunction", ("token",))
