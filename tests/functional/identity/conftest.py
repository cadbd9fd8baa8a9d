"""Helpers for identity's functional suite: an in-process API Gateway, the Africa's Talking sandbox
over real HTTP, log capture, and direct reads of the users table.

``api`` behaves like the HTTP API in front of the functions: it finds the route's function from the
template's routes, runs the template's Lambda REQUEST authorizer (``AuthorizerFunction``) on the
bearer token exactly as the gateway would (no token: 401, refused: 403, both in API Gateway's own
``{"message"}`` shape), and passes the authorizer's context to the function in a payload-2.0 event
adapted from ``events/<LogicalId>.json``. Every function runs in-process through the root
``invoke`` fixture, against moto resources provisioned from ``template.yaml``.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import json
import logging
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from soko.identity import tokens
from soko.shared import dynamo
from soko.shared.observability import logger
from soko_local.provision import Deployment
from soko_local.sandbox import Sandbox
from soko_local.template import AppModel

EVENTS = Path(__file__).resolve().parents[3] / "events"
REGION = "us-east-1"
PASSWORD = "Mango-harvest-77"  # passes the policy; every helper account uses it unless told otherwise

Invoke = Callable[[str, dict[str, Any]], Any]


def sample_event(logical_id: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{logical_id}.json").read_text())


# ---------------------------------------------------------------------------- the SMS sandbox
class SandboxServer:
    """The local runtime's sandbox (``soko_local.sandbox.Sandbox``) served over HTTP on a free port."""

    def __init__(self) -> None:
        self.sandbox = Sandbox()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        response = self.sandbox.dispatch(Request(environ)) or Response("not a sandbox route", status=404)
        return response(environ, start_response)

    @property
    def africastalking_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/_sandbox/africastalking"

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """What the sandbox received (GET /_sandbox/sms/outbox), read over HTTP."""
        query = f"?{urllib.parse.urlencode({'to': to})}" if to else ""
        url = f"http://127.0.0.1:{self.port}/_sandbox/sms/outbox{query}"
        with urllib.request.urlopen(url, timeout=5) as response:
            return list(json.loads(response.read())["messages"])

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="session")
def _sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer()
    yield server
    server.close()


@pytest.fixture
def sms(_sandbox_server: SandboxServer) -> SandboxServer:
    """The SMS sandbox, emptied for this test."""
    _sandbox_server.sandbox = Sandbox()
    return _sandbox_server


# ---------------------------------------------------------------------------- invoking with overrides
@pytest.fixture
def invoke_with(invoke: Invoke, deployment: Deployment) -> Callable[[dict[str, str]], Invoke]:
    """``invoke_with(overrides)`` is ``invoke`` where each override replaces the value of a variable the
    template gives the function (as a template parameter override would, e.g. the local runtime's
    ``AfricasTalkingBaseUrl``). Variables a function is not given stay unset for it."""

    def factory(overrides: dict[str, str]) -> Invoke:
        def call(logical_id: str, event: dict[str, Any]) -> Any:
            original = deployment.functions[logical_id]
            environment = {name: overrides.get(name, value) for name, value in original.environment.items()}
            deployment.functions[logical_id] = dataclasses.replace(original, environment=environment)
            try:
                return invoke(logical_id, event)
            finally:
                deployment.functions[logical_id] = original

        return call

    return factory


# ---------------------------------------------------------------------------- the gateway
@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    function: str | None  # the function that answered (None: the gateway itself)

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None

    @property
    def error(self) -> dict[str, Any]:
        """The error object, after checking the one error shape."""
        body = self.json
        assert isinstance(body, dict) and set(body) == {"error"}, self.text
        error = body["error"]
        assert set(error) == {"code", "message", "details"}, self.text
        assert isinstance(error["code"], str) and error["code"].isupper()
        assert isinstance(error["message"], str) and error["message"]
        assert isinstance(error["details"], dict)
        return dict(error)

    @property
    def fields(self) -> set[str]:
        """The request fields a 4xx names: ``details.field`` or each ``details.fields[].field``
        (without the ``body.``/``query.`` location prefix)."""
        details = self.error["details"]
        names = {str(details["field"])} if "field" in details else set()
        for entry in details.get("fields", []):
            names.add(str(entry["field"]).split(".", 1)[-1])
        return names


_NO_BODY = object()


@dataclass
class Api:
    invoke: Invoke
    routes: tuple[tuple[str, str, str, str | None], ...]
    history: list[Reply] = field(default_factory=list)
    authorizer_calls: int = 0

    def route(self, method: str, path: str) -> tuple[str, str, str | None, dict[str, str]]:
        """(route path, function, authorizer, path parameters); exact paths win over parameters."""
        segments = path.split("/")
        candidates = []
        for route_method, route_path, function, authorizer in self.routes:
            route_segments = route_path.split("/")
            if route_method != method or len(route_segments) != len(segments):
                continue
            params: dict[str, str] = {}
            for pattern, value in zip(route_segments, segments, strict=True):
                if pattern.startswith("{") and pattern.endswith("}") and value:
                    params[pattern[1:-1]] = urllib.parse.unquote(value)
                elif pattern != value:
                    break
            else:
                candidates.append((len(params), route_path, function, authorizer, params))
        assert candidates, f"the template has no route for {method} {path}"
        _, route_path, function, authorizer, params = min(candidates, key=lambda c: c[0])
        return route_path, function, authorizer, params

    def request(
        self,
        method: str,
        path: str,
        body: Any = _NO_BODY,
        *,
        token: str | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        raw_body: str | None = None,
        content_type: str | None = "application/json",
        skip_authorizer: bool = False,
    ) -> Reply:
        """One request through the gateway. ``skip_authorizer`` invokes a protected route's function
        with no authorizer context at all (what it must do if the gateway were misconfigured)."""
        route_path, function, authorizer, params = self.route(method, path)
        request_headers = {"host": "api.soko.local", "user-agent": "SokoTests/1.0"}
        if token is not None:
            request_headers["authorization"] = f"Bearer {token}"
        if content_type is not None:
            request_headers["content-type"] = content_type
        request_headers.update({k.lower(): v for k, v in (headers or {}).items()})
        text = raw_body if raw_body is not None else None if body is _NO_BODY else json.dumps(body)
        route_key = f"{method} {route_path}"
        context = None
        if authorizer and not skip_authorizer:
            if "authorization" not in request_headers:
                return self._record(Reply(401, {}, json.dumps({"message": "Unauthorized"}), None))
            context = self.authorize(route_key, path, request_headers, params)
            if context is None:
                return self._record(Reply(403, {}, json.dumps({"message": "Forbidden"}), None))
        event = _http_event(function, method, path, route_key, request_headers, params, query, text, context)
        result = self.invoke(function, event)
        reply = Reply(
            int(result["statusCode"]),
            {str(k).lower(): str(v) for k, v in (result.get("headers") or {}).items()},
            str(result.get("body") or ""),
            function,
        )
        return self._record(reply)

    def authorize(
        self, route_key: str, path: str, headers: dict[str, str], params: dict[str, str]
    ) -> dict[str, Any] | None:
        """Run the template's authorizer function as API Gateway does; its context, or None if refused."""
        event = sample_event("AuthorizerFunction")
        event.update(routeKey=route_key, rawPath=path, headers=dict(headers))
        event["identitySource"] = [headers["authorization"]]
        method, _, route_path = route_key.partition(" ")
        event["routeArn"] = event["routeArn"].split("/$default/")[0] + f"/$default/{method}{route_path}"
        event["requestContext"].update(routeKey=route_key, requestId=str(uuid.uuid4()))
        event["requestContext"]["http"].update(method=method, path=path)
        if params:
            event["pathParameters"] = params
        self.authorizer_calls += 1
        result = self.invoke("AuthorizerFunction", event)
        if not result.get("isAuthorized"):
            return None
        return dict(result["context"])

    def _record(self, reply: Reply) -> Reply:
        self.history.append(reply)
        return reply

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = _NO_BODY, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = _NO_BODY, **kwargs: Any) -> Reply:
        return self.request("PUT", path, body, **kwargs)


def _http_event(
    function: str,
    method: str,
    path: str,
    route_key: str,
    headers: dict[str, str],
    params: dict[str, str],
    query: dict[str, str] | None,
    body: str | None,
    context: dict[str, Any] | None,
) -> dict[str, Any]:
    """The function's sample event (events/<LogicalId>.json), adapted to this request."""
    event = copy.deepcopy(sample_event(function))
    for key in ("body", "queryStringParameters", "pathParameters", "cookies"):
        event.pop(key, None)
    event.update(
        routeKey=route_key,
        rawPath=path,
        rawQueryString=urllib.parse.urlencode(query or {}),
        headers=dict(headers),
        isBase64Encoded=False,
    )
    context_block = event["requestContext"]
    context_block.pop("authorizer", None)
    context_block.update(routeKey=route_key, requestId=str(uuid.uuid4()), timeEpoch=int(time.time() * 1000))
    context_block["http"].update(method=method, path=path, userAgent=headers.get("user-agent", ""))
    if query:
        event["queryStringParameters"] = dict(query)
    if params:
        event["pathParameters"] = dict(params)
    if body is not None:
        event["body"] = body
    if context is not None:
        context_block["authorizer"] = {"lambda": context}
    return event


@pytest.fixture
def api_with(
    invoke_with: Callable[[dict[str, str]], Invoke], app_model: AppModel, sms: SandboxServer
) -> Callable[[dict[str, str]], Api]:
    """``api_with(overrides)``: the gateway in front of functions whose template environment is
    overridden (see ``invoke_with``); the SMS sandbox is the default Africa's Talking."""

    def factory(overrides: dict[str, str]) -> Api:
        env = {"AFRICASTALKING_BASE_URL": sms.africastalking_base_url, **overrides}
        return Api(invoke_with(env), app_model.http_apis[0].routes)

    return factory


@pytest.fixture
def api(api_with: Callable[[dict[str, str]], Api]) -> Api:
    """The HTTP API in-process; password-reset SMS go to the sandbox, never to the internet."""
    return api_with({})


# ---------------------------------------------------------------------------- accounts
@dataclass
class User:
    id: str
    email: str
    password: str
    role: str
    phone: str | None
    access_token: str = ""
    refresh_token: str = ""


@dataclass
class Users:
    """Accounts made through the API (argon2 is slow: make only the ones a test needs)."""

    api: Api
    deployment: Deployment
    counter: int = 0

    def register(
        self,
        role: str = "farmer",
        *,
        phone: str | None = None,
        email: str | None = None,
        password: str = PASSWORD,
        full_name: str | None = None,
        session: str | None = "mint",
    ) -> User:
        """A new account. ``session``: "login" signs in through the API (access and refresh token),
        "mint" only gets an access token as LoginFunction would issue it (no argon2 verification;
        the authorizer still verifies it on every request), None leaves it signed out."""
        self.counter += 1
        email = email or f"user{self.counter}-{uuid.uuid4().hex[:6]}@example.com"
        body: dict[str, Any] = {"email": email, "password": password, "role": role}
        if phone:
            body["phone"] = phone
        body["fullName"] = full_name or f"Test User {self.counter}"
        reply = self.api.post("/auth/register", body)
        assert reply.status == 201, reply.text
        created = reply.json
        user = User(created["id"], email, password, role, created.get("phone"))
        if session == "login":
            self.sign_in(user)
        elif session == "mint":
            self.mint_access_token(user)
        else:
            assert session is None, session
        return user

    def mint_access_token(self, user: User) -> User:
        """An access token as LoginFunction issues it (same key, issuer, audience), without the
        argon2 verification of a sign-in: for tests that need many signed-in accounts."""
        environment = self.deployment.functions["LoginFunction"].environment
        secret = boto3.client("secretsmanager", region_name=REGION).get_secret_value(
            SecretId=environment["JWT_SECRET_ARN"]
        )["SecretString"]
        user.access_token = tokens.issue_access_token(
            user_id=user.id,
            role=user.role,  # type: ignore[arg-type]
            email=user.email,
            secret=secret,
            issuer=environment["JWT_ISSUER"],
            audience=environment["JWT_AUDIENCE"],
        )
        return user

    def sign_in(self, user: User) -> User:
        reply = self.api.post("/auth/login", {"email": user.email, "password": user.password})
        assert reply.status == 200, reply.text
        user.access_token = reply.json["access_token"]
        user.refresh_token = reply.json["refresh_token"]
        return user


@pytest.fixture
def users(api: Api, deployment: Deployment) -> Users:
    return Users(api, deployment)


@pytest.fixture
def admin(api: Api, users: Users, deployment: Deployment) -> User:
    """The admin account, created as ``make create-admin`` does, then signed in through the API."""
    from soko_tools.admin import ensure_admin  # noqa: PLC0415  (needs the mocked AWS)

    email, password = "root-admin@soko.example", "Kampala-admin-Key-2026"
    user_id = ensure_admin(deployment.physical["UsersTable"], email, password)
    return users.sign_in(User(user_id, email, password, "admin", None))


# ---------------------------------------------------------------------------- the users table
@dataclass
class UsersTable:
    name: str

    @property
    def table(self) -> Any:
        return boto3.resource("dynamodb", region_name=REGION).Table(self.name)

    def item(self, pk: str, sk: str) -> dict[str, Any] | None:
        found = self.table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        return dynamo.plain(found) if found else None

    def profile(self, user_id: str) -> dict[str, Any] | None:
        return self.item(f"USER#{user_id}", "PROFILE")

    def items(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"ConsistentRead": True}
        while True:
            page = self.table.scan(**kwargs)
            found += [dynamo.plain(i) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def with_prefix(self, prefix: str) -> list[dict[str, Any]]:
        return [i for i in self.items() if str(i["pk"]).startswith(prefix)]

    def of_user(self, user_id: str) -> list[dict[str, Any]]:
        found = self.table.query(KeyConditionExpression=Key("pk").eq(f"USER#{user_id}"), ConsistentRead=True)
        return [dynamo.plain(i) for i in found["Items"]]

    def outbox(self, detail_type: str | None = None) -> list[dict[str, Any]]:
        events = self.with_prefix("OUTBOX#")
        return [e for e in events if detail_type is None or e["detail_type"] == detail_type]


@pytest.fixture
def users_table(deployment: Deployment) -> UsersTable:
    return UsersTable(deployment.physical["UsersTable"])


# ---------------------------------------------------------------------------- logs
@contextlib.contextmanager
def _capture_logs(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, levels: dict[str | None, int]
) -> Iterator[Callable[[], str]]:
    """Everything logged, as one string (the technique of tests/unit/shared/conftest.py).

    The Powertools logger keeps the ``sys.stdout`` it saw at import and does not propagate: its
    handler is pointed at a buffer at DEBUG (stricter than the template's INFO); stdout, stderr and
    the propagating loggers are read as well, at ``levels`` (logger name -> level, None = root).
    """
    buffer = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous_stream = handler.setStream(buffer)
    previous_level = logger.log_level
    logger.setLevel(logging.DEBUG)
    for name, level in levels.items():
        caplog.set_level(level, logger=name)
    streams: list[str] = []

    def read() -> str:
        captured = capsys.readouterr()  # consumes what it returns: keep it for the next read
        streams.extend((captured.out, captured.err))
        return "\n".join((buffer.getvalue(), *streams, caplog.text))

    try:
        yield read
    finally:
        handler.setStream(previous_stream)
        logger.setLevel(previous_level)


@pytest.fixture
def log_output(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[Callable[[], str]]:
    """Our logger at DEBUG, every other logger (boto, Powertools internals, werkzeug) at INFO."""
    with _capture_logs(capsys, caplog, {None: logging.INFO}) as read:
        yield read


@pytest.fixture
def powertools_debug_log_output(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[Callable[[], str]]:
    """As ``log_output``, with Powertools' own loggers at DEBUG too (what ``POWERTOOLS_DEBUG=true``
    or a Lambda application log level of DEBUG turns on). boto's DEBUG output, which prints every
    DynamoDB request and response, stays at INFO: no application can keep secrets out of that."""
    levels = {None: logging.INFO, "aws_lambda_powertools": logging.DEBUG}
    with _capture_logs(capsys, caplog, levels) as read:
        yield read
