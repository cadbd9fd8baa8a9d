"""The local WebSocket API gateway: serves each ``AWS::ApiGatewayV2::Api`` with ProtocolType
WEBSOCKET of the template as API Gateway does, on a port of its own. The WebSocket protocol
(handshake, frames, fragmentation, ping/pong, close, UTF-8 and size limits) is the ``websockets``
library's (a development dependency: nothing here is deployed); this module is API Gateway's part:

- ``$connect`` runs the route's REQUEST authorizer first (identity from the query string, e.g.
  ``?token=``): no identity is a 401 without calling it, a Deny a 403, and so is a ``$connect``
  function answering other than 2xx. A refused upgrade never becomes a connection. The
  authorizer's ``context`` reaches every route of the connection in ``requestContext.authorizer``.
- Text messages are routed by ``RouteSelectionExpression`` (``$request.body.<field>``), falling
  back to ``$default``; ``$disconnect`` runs once when the connection ends, however it ends.
- On the same port, plain HTTP is the ``@connections`` management API that functions call through
  boto3 (``apigatewaymanagementapi`` with ``endpoint_url``): ``POST`` sends, ``GET`` describes,
  ``DELETE`` closes; an unknown or closed connection is a 410 ``GoneException``.

One port serves both because API Gateway's management endpoint is the API's own URL. A request's
head is peeked at (not consumed): an upgrade goes to ``websockets``' connection handler, anything
else to a standard-library HTTP handler (``websockets`` reads only bodiless GET handshakes).

Not implemented: binary messages (closed with 1003, as before), route responses, compression
(API Gateway offers none).
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import logging
import socket
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from soko_local.template import function_of, references

log = logging.getLogger("soko_local.websocket")
MAX_MESSAGE = 128 * 1024  # API Gateway's limit for a WebSocket message
MAX_HEAD = 16 * 1024  # a request head larger than this is not an upgrade we serve
OPEN_TIMEOUT_S = 10.0  # to receive a request's head
CLOSE_TIMEOUT_S = 2.0  # a client that does not answer a close frame is cut off after this
DISCONNECT_WAIT_S = 30.0  # DELETE and stop() wait this long for $disconnect to have run

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

    found = []
    for api_id, api in of("AWS::ApiGatewayV2::Api").items():
        if api.get("ProtocolType") != "WEBSOCKET":
            continue
        routes, authorizer, identity = {}, None, ()
        for route in (
            r for r in of("AWS::ApiGatewayV2::Route").values() if references(r.get("ApiId")) == {api_id}
        ):
            integration = resources[next(iter(references(route["Target"])))]["Properties"]
            routes[route["RouteKey"]] = function_of(cfn, integration["IntegrationUri"])
            if route["RouteKey"] == "$connect" and route.get("AuthorizerId"):
                props = resources[next(iter(references(route["AuthorizerId"])))]["Properties"]
                authorizer = function_of(cfn, props["AuthorizerUri"])
                identity = tuple(
                    s.rpartition(".")[2] for s in props.get("IdentitySource", []) if ".querystring." in s
                )
        expression = str(api.get("RouteSelectionExpression", "$request.body.action"))
        found.append(WebSocketApiDef(api_id, expression.rpartition(".")[2], routes, authorizer, identity))
    return found


# ---------------------------------------------------------------------------- connections
class Connection(ServerConnection):
    """A ``websockets`` server connection with what API Gateway keeps for it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection_id = base64.urlsafe_b64encode(uuid.uuid4().bytes[:10]).decode().rstrip("=") + "="
        self.authorizer: dict[str, Any] = {}
        self.connected_at = time.time()
        self.registered = False  # $connect succeeded: the gateway knows it, $disconnect will run
        self.opened = threading.Event()  # the handshake is done: messages can be sent
        self.finished = threading.Event()  # gone, and $disconnect has run


def _is_upgrade(sock: socket.socket) -> bool:
    """Whether the request waiting on ``sock`` asks for a WebSocket (its head is peeked, not read)."""
    sock.settimeout(OPEN_TIMEOUT_S)
    deadline = time.monotonic() + OPEN_TIMEOUT_S
    head = b""
    try:
        while b"\r\n\r\n" not in head and len(head) < MAX_HEAD and time.monotonic() < deadline:
            seen = sock.recv(MAX_HEAD, socket.MSG_PEEK)
            if not seen:
                break
            if len(seen) == len(head):
                time.sleep(0.002)  # the rest of the head is on its way
            head = seen
    except OSError:
        return False
    finally:
        sock.settimeout(None)
    lines = head.partition(b"\r\n\r\n")[0].lower().split(b"\r\n")[1:]
    return any(line.startswith(b"upgrade:") and b"websocket" in line for line in lines)


class WebSocketGateway:
    """One WebSocket API on its own port (``ws://host:port/`` and the ``@connections`` API)."""

    def __init__(self, api: WebSocketApiDef, invoke: Invoke, host: str = "127.0.0.1", port: int = 0):
        self.api = api
        self.invoke = invoke
        self.connections: dict[str, Connection] = {}
        self._lock = threading.Lock()
        self._listener = socket.create_server((host, port))
        self.port = self._listener.getsockname()[1]
        self.url = f"ws://{host}:{self.port}"
        self.management_url = f"http://{host}:{self.port}"
        self._stopping = threading.Event()
        self._handshaking = threading.local()  # the connection whose handshake this thread runs
        # websockets' server for the upgrades we hand it; it never accepts on the socket itself
        # (the accept loop is ours), so its handler is all that is used.
        self._websockets: Server = serve(
            self._session,
            sock=self._listener,
            process_request=self._process_request,
            process_response=self._process_response,
            server_header=None,
            compression=None,
            open_timeout=OPEN_TIMEOUT_S,
            ping_interval=None,  # API Gateway does not ping its clients
            close_timeout=CLOSE_TIMEOUT_S,
            max_size=MAX_MESSAGE,
            create_connection=Connection,
            logger=log,
        )
        self._management = self._management_handler()

    def start(self) -> None:
        threading.Thread(target=self._accept, name=f"ws-{self.api.logical_id}", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()
        self._listener.close()
        with self._lock:
            open_now = list(self.connections.values())
        for connection in open_now:
            connection.close(1001)  # going away; each one's $disconnect runs
        for connection in open_now:
            connection.finished.wait(DISCONNECT_WAIT_S)

    # ------------------------------------------------------------------ one port, two protocols
    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, address = self._listener.accept()
            except OSError:
                return  # the listener was closed: stop() was called
            threading.Thread(
                target=self._serve_socket, args=(sock, address), name="ws-connection", daemon=True
            ).start()

    def _serve_socket(self, sock: socket.socket, address: Any) -> None:
        if _is_upgrade(sock):
            self._handshaking.connection = None
            self._websockets.handler(sock, address)  # handshake, then _session; closes the socket
            connection = self._handshaking.connection
            if connection is not None and not connection.finished.is_set():
                self._finish(connection)  # accepted, but gone before its session began
            return
        try:
            self._management(sock, address, None)  # type: ignore[arg-type]  # it needs no server
        except OSError:
            pass  # the client went away mid-request
        finally:
            sock.close()

    # ------------------------------------------------------------------ $connect (the handshake)
    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Authorizer and $connect before the upgrade is answered: refused, it never exists."""
        assert isinstance(connection, Connection)
        self._handshaking.connection = connection
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.path).query))
        headers = {name.lower(): value for name, value in request.headers.raw_items()}
        if any(not query.get(name) for name in self.api.identity_query):
            return connection.respond(401, "Unauthorized\n")  # API Gateway does not call the authorizer
        authorizer = self._authorize(connection.connection_id, query, headers)
        if authorizer is None:
            return connection.respond(403, "Forbidden\n")
        connection.authorizer = authorizer
        if "$connect" in self.api.routes:
            event = self._event(
                "$connect", connection.connection_id, authorizer, query=query, headers=headers
            )
            ok, answer = self.invoke(self.api.routes["$connect"], event)
            if not ok or not (200 <= int((answer or {}).get("statusCode", 200)) < 300):
                return connection.respond(403, "Forbidden\n")
        return None

    def _process_response(
        self, connection: ServerConnection, request: Request, response: Response
    ) -> Response | None:
        """The upgrade is being accepted: from now on the connection is known (and can be posted to)."""
        assert isinstance(connection, Connection)
        if response.status_code == 101:
            with self._lock:
                self.connections[connection.connection_id] = connection
            connection.registered = True
        return None

    def _authorize(
        self, connection_id: str, query: dict[str, str], headers: dict[str, str]
    ) -> dict[str, Any] | None:
        if self.api.connect_authorizer is None:
            return {}
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

    # ------------------------------------------------------------------ messages and $disconnect
    def _session(self, connection: ServerConnection) -> None:
        """An open connection: route each text message until it closes, then $disconnect."""
        assert isinstance(connection, Connection)
        connection.opened.set()
        try:
            while True:
                try:
                    message = connection.recv()
                except ConnectionClosed:
                    return
                if not isinstance(message, str):
                    connection.close(1003, "binary messages are not supported")
                    return
                self._route(connection, message)
        finally:
            self._finish(connection)

    def _route(self, connection: Connection, text: str) -> None:
        try:
            selected = json.loads(text).get(self.api.selection_field)
        except (ValueError, AttributeError):
            selected = None
        route = selected if isinstance(selected, str) and selected in self.api.routes else "$default"
        if route not in self.api.routes:
            self._send(connection, {"message": "Forbidden", "connectionId": connection.connection_id})
            return
        event = self._event(route, connection.connection_id, connection.authorizer, body=text)
        ok, _ = self.invoke(self.api.routes[route], event)
        if not ok:
            self._send(
                connection, {"message": "Internal server error", "connectionId": connection.connection_id}
            )

    @staticmethod
    def _send(connection: Connection, body: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionClosed):
            connection.send(json.dumps(body))

    def _finish(self, connection: Connection) -> None:
        """Forget the connection and run $disconnect, once, whoever ends it."""
        with self._lock:
            known = self.connections.pop(connection.connection_id, None) is connection
        try:
            if known and "$disconnect" in self.api.routes:
                self.invoke(
                    self.api.routes["$disconnect"],
                    self._event("$disconnect", connection.connection_id, connection.authorizer),
                )
        finally:
            connection.finished.set()

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

    # ------------------------------------------------------------------ @connections
    def _management_handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        gateway = self

        class Management(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as boto3 expects

            def do_GET(self) -> None:
                self._answer(*gateway.manage("GET", self.path))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self._answer(*gateway.manage("POST", self.path, self.rfile.read(length)))

            def do_DELETE(self) -> None:
                self._answer(*gateway.manage("DELETE", self.path))

            def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("@connections: " + format, *args)

        return Management

    def manage(self, method: str, target: str, body: bytes = b"") -> tuple[int, bytes, dict[str, str]]:
        """(status, body, headers) of an ``@connections`` request."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
        prefix = "/@connections/"
        if not path.startswith(prefix):
            return 404, b'{"message":"Not Found"}', {"Content-Type": "application/json"}
        with self._lock:
            connection = self.connections.get(path[len(prefix) :])
        gone = (
            410,
            b'{"message":"Gone"}',
            {"x-amzn-ErrorType": "GoneException", "Content-Type": "application/json"},
        )
        if connection is None or not connection.opened.wait(OPEN_TIMEOUT_S):
            return gone
        if method == "POST":
            try:
                connection.send(body, text=True)
            except (ConnectionClosed, OSError):
                return gone
            return 200, b"", {}
        if method == "DELETE":
            connection.close()
            connection.finished.wait(DISCONNECT_WAIT_S)
            return 204, b"", {}
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(connection.connected_at))
        description = json.dumps({"connectedAt": at, "lastActiveAt": at}).encode()
        return 200, description, {"Content-Type": "application/json"}


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
