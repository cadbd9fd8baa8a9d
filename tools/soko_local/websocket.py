"""The local WebSocket API gateway: a minimal RFC 6455 server on the standard library (handshake,
text frames, ping/pong, close) that serves each ``AWS::ApiGatewayV2::Api`` with ProtocolType
WEBSOCKET of the template as API Gateway does:

- ``$connect`` runs the route's REQUEST authorizer first (identity from the query string, e.g.
  ``?token=``); a Deny, or a ``$connect`` function answering other than 2xx, refuses the upgrade
  (401/403) so the connection never exists. The authorizer's ``context`` reaches every route of
  the connection in ``requestContext.authorizer``.
- Text frames are routed by ``RouteSelectionExpression`` (``$request.body.<field>``), falling back
  to ``$default``; ``$disconnect`` runs when the socket closes.
- On the same port, plain HTTP is the ``@connections`` management API functions call through
  boto3 (``apigatewaymanagementapi`` with ``endpoint_url``): ``POST`` sends, ``GET`` describes,
  ``DELETE`` closes; an unknown connection is a 410 ``GoneException``.

Not implemented: binary frames (refused with close 1003), route responses, compression extensions.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import socket
import socketserver
import struct
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from soko_local.template import references

log = logging.getLogger("soko_local.websocket")
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_FRAME = 128 * 1024  # API Gateway's WebSocket frame limit is 32 KB; a message is at most 128 KB

Invoke = Callable[[str, dict[str, Any]], tuple[bool, Any]]  # (ok, payload)


# ---------------------------------------------------------------------------- the template's WebSocket APIs
@dataclass(frozen=True)
class WebSocketApiDef:
    logical_id: str
    selection_field: str  # from "$request.body.<field>"
    routes: dict[str, str]  # route key -> function logical id
    connect_authorizer: str | None  # function logical id
    identity_query: tuple[str, ...]  # query parameters the authorizer needs (identity source)


def websocket_apis(cfn: dict[str, Any]) -> list[WebSocketApiDef]:
    resources = cfn["Resources"]

    def of(kind: str) -> dict[str, dict[str, Any]]:
        return {k: v.get("Properties", {}) for k, v in resources.items() if v["Type"] == kind}

    functions = set(of("AWS::Lambda::Function"))
    found = []
    for api_id, api in of("AWS::ApiGatewayV2::Api").items():
        if api.get("ProtocolType") != "WEBSOCKET":
            continue
        routes, authorizer, identity = {}, None, ()
        for route in (
            r for r in of("AWS::ApiGatewayV2::Route").values() if references(r.get("ApiId")) == {api_id}
        ):
            integration = resources[next(iter(references(route["Target"])))]["Properties"]
            routes[route["RouteKey"]] = next(iter(references(integration["IntegrationUri"]) & functions))
            if route["RouteKey"] == "$connect" and route.get("AuthorizerId"):
                props = resources[next(iter(references(route["AuthorizerId"])))]["Properties"]
                authorizer = next(iter(references(props["AuthorizerUri"]) & functions))
                identity = tuple(
                    s.rpartition(".")[2] for s in props.get("IdentitySource", []) if ".querystring." in s
                )
        expression = str(api.get("RouteSelectionExpression", "$request.body.action"))
        found.append(WebSocketApiDef(api_id, expression.rpartition(".")[2], routes, authorizer, identity))
    return found


# ---------------------------------------------------------------------------- frames (RFC 6455)
def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()  # noqa: S324  (the RFC's)


def encode_frame(opcode: int, payload: bytes, *, mask: bool = False) -> bytes:
    head = bytes([0x80 | opcode])
    size = len(payload)
    bit = 0x80 if mask else 0
    if size < 126:
        head += bytes([bit | size])
    elif size < 65536:
        head += bytes([bit | 126]) + struct.pack("!H", size)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", size)
    if not mask:
        return head + payload
    key = uuid.uuid4().bytes[:4]
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def _read_exact(stream: Any, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def read_frame(stream: Any) -> tuple[bool, int, bytes]:
    """(fin, opcode, unmasked payload) of the next frame."""
    first, second = _read_exact(stream, 2)
    size = second & 0x7F
    if size == 126:
        size = struct.unpack("!H", _read_exact(stream, 2))[0]
    elif size == 127:
        size = struct.unpack("!Q", _read_exact(stream, 8))[0]
    if size > MAX_FRAME:
        raise ValueError("frame too large")
    key = _read_exact(stream, 4) if second & 0x80 else b""
    payload = _read_exact(stream, size)
    if key:
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return bool(first & 0x80), first & 0x0F, payload


# ---------------------------------------------------------------------------- connections
@dataclass
class Connection:
    id: str
    sock: socket.socket
    authorizer: dict[str, Any]
    connected_at: float = field(default_factory=time.time)
    lock: threading.Lock = field(default_factory=threading.Lock)
    open: bool = True

    def send(self, opcode: int, payload: bytes) -> bool:
        with self.lock:
            if not self.open:
                return False
            try:
                self.sock.sendall(encode_frame(opcode, payload))
                return True
            except OSError:
                self.open = False
                return False


class WebSocketGateway:
    """One WebSocket API on its own port (``ws://host:port/`` and the ``@connections`` API)."""

    def __init__(self, api: WebSocketApiDef, invoke: Invoke, host: str = "127.0.0.1", port: int = 0):
        self.api = api
        self.invoke = invoke
        self.connections: dict[str, Connection] = {}
        gateway = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                gateway._serve(self)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((host, port), Handler)
        self.port = self._server.server_address[1]
        self.url = f"ws://{host}:{self.port}"
        self.management_url = f"http://{host}:{self.port}"

    def start(self) -> None:
        threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name=f"ws-{self.api.logical_id}", daemon=True
        ).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        for connection in list(self.connections.values()):
            self._close(connection)

    # ------------------------------------------------------------------ HTTP request head
    @staticmethod
    def _head(rfile: Any) -> tuple[str, str, dict[str, str]] | None:
        line = rfile.readline(8192).decode("latin-1").strip()
        if not line:
            return None
        method, target, _ = [*line.split(" "), "", ""][:3]
        headers: dict[str, str] = {}
        while True:
            raw = rfile.readline(8192).decode("latin-1")
            if raw in ("\r\n", "\n", ""):
                break
            name, _, value = raw.partition(":")
            headers[name.strip().lower()] = value.strip()
        return method, target, headers

    @staticmethod
    def _respond(wfile: Any, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        reason = {
            200: "OK",
            400: "Bad Request",
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not Found",
            410: "Gone",
        }
        lines = [
            f"HTTP/1.1 {status} {reason.get(status, 'Error')}",
            f"Content-Length: {len(body)}",
            "Connection: close",
        ]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def _serve(self, handler: socketserver.StreamRequestHandler) -> None:
        head = self._head(handler.rfile)
        if head is None:
            return
        method, target, headers = head
        if headers.get("upgrade", "").lower() == "websocket":
            self._websocket(handler, target, headers)
        else:
            length = int(headers.get("content-length") or 0)
            body = _read_exact(handler.rfile, length) if length else b""
            self._management(handler, method, target, body)

    # ------------------------------------------------------------------ @connections
    def _management(self, handler: Any, method: str, target: str, body: bytes) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
        prefix = "/@connections/"
        if not path.startswith(prefix):
            self._respond(handler.wfile, 404, b'{"message":"Not Found"}')
            return
        connection = self.connections.get(path[len(prefix) :])
        if connection is None or not connection.open:
            gone = json.dumps({"message": "Gone"}).encode()
            self._respond(
                handler.wfile,
                410,
                gone,
                {"x-amzn-ErrorType": "GoneException", "Content-Type": "application/json"},
            )
            return
        if method == "POST":
            ok = connection.send(0x1, body)
            status = 200 if ok else 410
            self._respond(
                handler.wfile,
                status,
                b"" if ok else b'{"message":"Gone"}',
                {} if ok else {"x-amzn-ErrorType": "GoneException"},
            )
        elif method == "DELETE":
            self._close(connection)
            self._respond(handler.wfile, 204)
        else:
            at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(connection.connected_at))
            self._respond(
                handler.wfile,
                200,
                json.dumps({"connectedAt": at, "lastActiveAt": at}).encode(),
                {"Content-Type": "application/json"},
            )

    # ------------------------------------------------------------------ WebSocket
    def _event(
        self,
        route: str,
        connection_id: str,
        authorizer: dict[str, Any],
        *,
        body: str | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        kind = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
        event: dict[str, Any] = {
            "requestContext": {
                "routeKey": route,
                "eventType": kind,
                "connectionId": connection_id,
                "apiId": self.api.logical_id.lower(),
                "stage": "live",
                "domainName": f"127.0.0.1:{self.port}",
                "requestId": uuid.uuid4().hex,
                "messageDirection": "IN",
                "requestTimeEpoch": int(time.time() * 1000),
                "identity": {"sourceIp": "127.0.0.1"},
                "authorizer": authorizer,
            },
            "isBase64Encoded": False,
        }
        if body is not None:
            event["body"] = body
        if query is not None:
            event["queryStringParameters"] = query or None
        if headers is not None:
            event["headers"] = headers
        return event

    def _authorize(
        self, connection_id: str, query: dict[str, str], headers: dict[str, str]
    ) -> dict[str, Any] | None:
        if self.api.connect_authorizer is None:
            return {}
        if any(not query.get(name) for name in self.api.identity_query):
            return None  # API Gateway answers 401 without calling the authorizer
        arn = f"arn:aws:execute-api:us-east-1:123456789012:{self.api.logical_id.lower()}/live/$connect"
        event = {
            "type": "REQUEST",
            "methodArn": arn,
            "headers": headers,
            "queryStringParameters": query,
            "requestContext": self._event("$connect", connection_id, {})["requestContext"],
        }
        ok, answer = self.invoke(self.api.connect_authorizer, event)
        statements = ((answer or {}).get("policyDocument") or {}).get("Statement") or [] if ok else []
        if not statements or any(s.get("Effect") != "Allow" for s in statements):
            return None
        return {"principalId": answer.get("principalId"), **(answer.get("context") or {})}

    def _websocket(self, handler: Any, target: str, headers: dict[str, str]) -> None:
        key = headers.get("sec-websocket-key", "")
        if not key:
            self._respond(handler.wfile, 400)
            return
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query))
        connection_id = base64.urlsafe_b64encode(uuid.uuid4().bytes[:10]).decode().rstrip("=") + "="
        authorizer = self._authorize(connection_id, query, headers)
        if authorizer is None:
            self._respond(
                handler.wfile, 401 if any(not query.get(n) for n in self.api.identity_query) else 403
            )
            return
        connection = Connection(connection_id, handler.connection, authorizer)
        if "$connect" in self.api.routes:
            ok, answer = self.invoke(
                self.api.routes["$connect"],
                self._event("$connect", connection_id, authorizer, query=query, headers=headers),
            )
            if not ok or not (200 <= int((answer or {}).get("statusCode", 200)) < 300):
                self._respond(handler.wfile, 403)
                return
        self.connections[connection_id] = connection
        handler.wfile.write(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n"
            ).encode()
        )
        try:
            self._frames(handler, connection)
        finally:
            self._close(connection)

    def _frames(self, handler: Any, connection: Connection) -> None:
        buffer = b""
        while connection.open:
            try:
                fin, opcode, payload = read_frame(handler.rfile)
            except (ConnectionError, OSError, ValueError):
                return
            if opcode == 0x8:  # close: answer and stop
                connection.send(0x8, payload[:2])
                return
            if opcode == 0x9:
                connection.send(0xA, payload)
                continue
            if opcode == 0x2:
                connection.send(0x8, struct.pack("!H", 1003))
                return
            if opcode in (0x1, 0x0):
                buffer += payload
                if fin:
                    self._route(connection, buffer.decode("utf-8", "replace"))
                    buffer = b""

    def _route(self, connection: Connection, text: str) -> None:
        try:
            selected = json.loads(text).get(self.api.selection_field)
        except (ValueError, AttributeError):
            selected = None
        route = selected if isinstance(selected, str) and selected in self.api.routes else "$default"
        if route not in self.api.routes:
            connection.send(0x1, json.dumps({"message": "Forbidden", "connectionId": connection.id}).encode())
            return
        ok, _ = self.invoke(
            self.api.routes[route], self._event(route, connection.id, connection.authorizer, body=text)
        )
        if not ok:
            connection.send(
                0x1, json.dumps({"message": "Internal server error", "connectionId": connection.id}).encode()
            )

    def _close(self, connection: Connection) -> None:
        if self.connections.pop(connection.id, None) is None:
            return
        with connection.lock:
            connection.open = False
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)
        if "$disconnect" in self.api.routes:
            self.invoke(
                self.api.routes["$disconnect"],
                self._event("$disconnect", connection.id, connection.authorizer),
            )


# ---------------------------------------------------------------------------- wiring into the runtime
def start_websocket_gateways(runtime: Any) -> list[WebSocketGateway]:
    """One gateway per WebSocket API of the runtime's template, started on a free port."""

    def invoke(logical_id: str, event: dict[str, Any]) -> tuple[bool, Any]:
        result = runtime.invoke(logical_id, event)
        return result.ok, result.payload

    gateways = [
        WebSocketGateway(api, invoke, runtime.options.host) for api in websocket_apis(runtime.app.cfn)
    ]
    for gateway in gateways:
        gateway.start()
        log.info("WebSocket API %s at %s", gateway.api.logical_id, gateway.url)
    return gateways


def websocket_environment(gateways: list[WebSocketGateway]) -> dict[str, str]:
    """Where functions reach the @connections API locally (soko.realtime reads it)."""
    return {"WEBSOCKET_MANAGEMENT_URL": gateways[0].management_url} if gateways else {}
