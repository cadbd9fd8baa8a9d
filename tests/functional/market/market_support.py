"""What the marketplace's functional tests share: an in-process stand-in for the HTTP API, users
(ids only), direct reads of the market table, and shortcuts that arrange state through the handlers.

``Api`` finds a route's function from the template's routes and passes a payload-2.0 event adapted
from ``events/<LogicalId>.json``. On a protected route a signed-in caller reaches the function only
as the authorizer's context (``requestContext.authorizer.lambda``); on a public route
(``GET /listings/``, ``GET /listings/{id}``) a signed-in viewer sends ``Authorization: Bearer
<token>``, signed with the deployment's ``JwtSigningSecret`` (issuer ``soko``, audience
``soko-api``). Every browse request is watched for the AWS operations it makes: it must never Scan.
"""

from __future__ import annotations

import base64
import copy
import importlib
import json
import os
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from soko.identity import tokens
from soko.shared import aws as soko_aws
from soko.shared import config as soko_config
from soko.shared import dynamo, ids
from soko.shared import secrets as soko_secrets
from soko_local.provision import Deployment

EVENTS = Path(__file__).resolve().parents[3] / "events"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
BROWSE_ROUTE = ("GET", "/listings/")


def reset_process_caches() -> None:
    soko_aws.reset()
    soko_config.load.cache_clear()
    soko_secrets.clear()


# ---------------------------------------------------------------------------- DynamoDB operations seen
@dataclass
class OperationRecorder:
    """Records the name of every AWS API call made while ``recording`` (all clients, all services)."""

    recording: bool = False
    calls: list[str] = field(default_factory=list)
    browse_calls: list[list[str]] = field(default_factory=list)  # one entry per browse request

    def record(self, operation: str) -> None:
        if self.recording:
            self.calls.append(operation)


# ---------------------------------------------------------------------------- the deployment
@dataclass
class FakeLambdaContext:
    function_name: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:test-function"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


Invoke = Callable[[str, dict[str, Any]], Any]


def forget_stream_records() -> None:
    """Drop the DynamoDB stream records moto keeps for every write (nothing reads them here: the
    outbox relay is not under test). moto deep-copies a whole table, stream records included, for
    every item of every TransactWriteItems, so kept records make each write slower than the last
    (quadratic time, gigabytes of memory over this suite)."""
    from moto.dynamodb.models import dynamodb_backends  # noqa: PLC0415

    for table in dynamodb_backends[ACCOUNT_ID][REGION].tables.values():
        if table.stream_shard is not None:
            table.stream_shard.items.clear()


def make_invoker(deployment: Deployment) -> Invoke:
    """Run a template function's handler with exactly the environment the template gives it
    (restored afterwards, so one function never sees another's variables)."""

    def invoke(logical_id: str, event: dict[str, Any]) -> Any:
        config = deployment.functions[logical_id]
        environment = {**config.environment, "AWS_LAMBDA_FUNCTION_NAME": config.name}
        saved = {name: os.environ.get(name) for name in environment}
        os.environ.update(environment)
        soko_config.load.cache_clear()
        try:
            module_name, _, attribute = config.handler.rpartition(".")
            handler = getattr(importlib.import_module(module_name), attribute)
            return handler(event, FakeLambdaContext(function_name=config.name))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            soko_config.load.cache_clear()
            forget_stream_records()

    return invoke


# ---------------------------------------------------------------------------- users (ids only)
@dataclass(frozen=True)
class User:
    id: str
    role: str
    email: str

    @property
    def context(self) -> dict[str, str]:
        """What the authorizer gives the function."""
        return {"userId": self.id, "role": self.role, "email": self.email}


def new_user(role: str) -> User:
    user_id = ids.ulid()
    return User(user_id, role, f"{role}-{user_id.lower()}@example.com")


# ---------------------------------------------------------------------------- the gateway
@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

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
        assert isinstance(error["code"], str) and error["code"].isupper(), self.text
        assert isinstance(error["message"], str) and error["message"], self.text
        assert isinstance(error["details"], dict), self.text
        return dict(error)

    @property
    def fields(self) -> set[str]:
        """The fields a 4xx names (``details.field`` or ``details.fields[].field``, no ``body.``)."""
        details = self.error["details"]
        names = {str(details["field"])} if "field" in details else set()
        for entry in details.get("fields", []):
            names.add(str(entry["field"]).split(".", 1)[-1])
        return names

    def expect(self, status: int, code: str | None = None) -> Reply:
        assert self.status == status, f"expected {status}, got {self.status}: {self.text}"
        if code is not None:
            assert self.error["code"] == code, self.text
        return self


_NO_BODY = object()


def sample_event(logical_id: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / f"{logical_id}.json").read_text()))


def http_event(
    function: str,
    method: str,
    path: str,
    route_path: str,
    headers: dict[str, str],
    params: dict[str, str],
    query: dict[str, Any] | None,
    body: str | None,
    authorizer_context: dict[str, str] | None,
) -> dict[str, Any]:
    """The function's sample event (``events/<LogicalId>.json``) adapted to this request."""
    route_key = f"{method} {route_path}"
    event = copy.deepcopy(sample_event(function))
    for key in ("body", "queryStringParameters", "pathParameters", "cookies"):
        event.pop(key, None)
    query_strings = {k: str(v) for k, v in (query or {}).items() if v is not None}
    event.update(
        routeKey=route_key,
        rawPath=path,
        rawQueryString=urllib.parse.urlencode(query_strings),
        headers=headers,
        isBase64Encoded=False,
    )
    context = event["requestContext"]
    context.pop("authorizer", None)  # identity comes only from the authorizer: none unless given
    context.update(routeKey=route_key, requestId=str(uuid.uuid4()), timeEpoch=int(time.time() * 1000))
    context["http"].update(method=method, path=path)
    if query_strings:
        event["queryStringParameters"] = query_strings
    if params:
        event["pathParameters"] = params
    if body is not None:
        event["body"] = body
    if authorizer_context is not None:
        context["authorizer"] = {"lambda": authorizer_context}
    return event


@dataclass
class Api:
    invoke: Invoke
    routes: tuple[tuple[str, str, str, str | None], ...]
    jwt_secret: Callable[[], str]
    recorder: OperationRecorder

    def route(self, method: str, path: str) -> tuple[str, str, str | None, dict[str, str]]:
        """(route path, function, authorizer, path parameters); exact segments win over parameters."""
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

    def token(self, user: User) -> str:
        return tokens.issue_access_token(
            user_id=user.id,
            role=user.role,  # type: ignore[arg-type]
            email=user.email,
            secret=self.jwt_secret(),
            issuer="soko",
            audience="soko-api",
        )

    def request(
        self,
        method: str,
        path: str,
        body: Any = _NO_BODY,
        *,
        user: User | None = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        bearer: str | None = None,
    ) -> Reply:
        """One request. ``user`` is the signed-in caller: the authorizer's context on a protected
        route, a bearer token on a public one. ``bearer`` sends that exact Authorization value."""
        route_path, function, authorizer, params = self.route(method, path)
        request_headers = {"host": "api.soko.local", "user-agent": "SokoTests/1.0"}
        if body is not _NO_BODY:
            request_headers["content-type"] = "application/json"
        if user is not None and authorizer is None:
            request_headers["authorization"] = f"Bearer {self.token(user)}"
        if bearer is not None:
            request_headers["authorization"] = bearer
        request_headers.update({k.lower(): v for k, v in (headers or {}).items()})
        text = None if body is _NO_BODY else body if isinstance(body, str) else json.dumps(body)
        context = user.context if user is not None and authorizer is not None else None
        event = http_event(function, method, path, route_path, request_headers, params, query, text, context)
        is_browse = (method, route_path) == BROWSE_ROUTE
        if is_browse:
            self.recorder.calls = []
            self.recorder.recording = True
        try:
            result = self.invoke(function, event)
        finally:
            self.recorder.recording = False
        if is_browse:
            seen = list(self.recorder.calls)
            self.recorder.browse_calls.append(seen)
            assert "Scan" not in seen, f"browse used Scan: {seen}"
        return Reply(
            int(result["statusCode"]),
            {str(k).lower(): str(v) for k, v in (result.get("headers") or {}).items()},
            str(result.get("body") or ""),
        )

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = _NO_BODY, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = _NO_BODY, **kwargs: Any) -> Reply:
        return self.request("PUT", path, body, **kwargs)

    def patch(self, path: str, body: Any = _NO_BODY, **kwargs: Any) -> Reply:
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)


# ---------------------------------------------------------------------------- the market table
@cache
def _dynamodb() -> Any:
    """One boto3 resource for the suite's own reads (creating one costs ~0.1 s)."""
    return boto3.resource("dynamodb", region_name=REGION)


@dataclass
class MarketTable:
    name: str

    @property
    def table(self) -> Any:
        return _dynamodb().Table(self.name)

    def items(self) -> list[dict[str, Any]]:
        """Every item (a Scan: test bookkeeping only, never during a browse request)."""
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

    def item(self, pk: str, sk: str) -> dict[str, Any] | None:
        found = self.table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        return dynamo.plain(found) if found else None

    def listing(self, listing_id: str) -> dict[str, Any]:
        found = self.item(f"LISTING#{listing_id}", "LISTING")
        assert found is not None, listing_id
        return found

    def grams(self, listing_id: str) -> int:
        return int(self.listing(listing_id)["quantity_g"])

    def order_items(self, order_id: str) -> list[dict[str, Any]]:
        found = self.table.query(
            KeyConditionExpression=Key("pk").eq(f"ORDER#{order_id}"), ConsistentRead=True
        )
        return [dynamo.plain(i) for i in found["Items"]]

    def outbox(self, detail_type: str | None = None) -> list[dict[str, Any]]:
        events = self.with_prefix("OUTBOX#")
        return [e for e in events if detail_type is None or e["detail_type"] == detail_type]

    def outbox_details(self, detail_type: str) -> list[dict[str, Any]]:
        return [json.loads(e["detail"]) for e in self.outbox(detail_type)]

    def snapshot(self) -> list[dict[str, Any]]:
        return sorted(self.items(), key=lambda i: (str(i["pk"]), str(i["sk"])))

    @contextmanager
    def unchanged(self) -> Iterator[None]:
        """Asserts the block leaves the table exactly as it found it (a refused write writes nothing)."""
        before = self.snapshot()
        yield
        after = self.snapshot()
        added = [i for i in after if i not in before]
        removed = [i for i in before if i not in after]
        assert (added, removed) == ([], []), f"the table changed: added {added}, removed {removed}"


def empty_table(name: str, key_names: tuple[str, ...]) -> None:
    table = _dynamodb().Table(name)
    kwargs: dict[str, Any] = {}
    keys = []
    while True:
        page = table.scan(**kwargs)
        keys += [{k: i[k] for k in key_names} for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    with table.batch_writer() as batch:
        for key in keys:
            batch.delete_item(Key=key)


# ---------------------------------------------------------------------------- domain helpers
@dataclass
class Market:
    """Shortcuts for arranging state through the handlers (never by writing the table)."""

    api: Api
    table: MarketTable

    def listing(
        self,
        farmer: User,
        *,
        crop: str = "maize",
        price: int = 1200,
        kg: str | int = "500",
        district: str = "Gulu",
        title: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        body = {
            "title": title or f"Good {crop} from {district}",
            "crop": crop,
            "price_per_kg": price,
            "quantity_kg": str(kg),
            "district": district,
            **extra,
        }
        reply = self.api.post("/listings/", body, user=farmer)
        assert reply.status == 201, reply.text
        return dict(reply.json)

    def order(
        self, buyer: User, listing_id: str, kg: str | int = "10", *, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        reply = self.api.post(
            "/orders/", {"listing_id": listing_id, "quantity_kg": str(kg)}, user=buyer, headers=headers
        )
        assert reply.status == 201, reply.text
        return dict(reply.json)

    def move(self, order_id: str, user: User, new_status: str) -> Reply:
        return self.api.patch(f"/orders/{order_id}/status", {"new_status": new_status}, user=user)

    def complete(self, order_id: str, farmer: User) -> dict[str, Any]:
        self.move(order_id, farmer, "confirmed").expect(200)
        return dict(self.move(order_id, farmer, "completed").expect(200).json)


def empty_all(deployment: Deployment, market_table: MarketTable) -> None:
    empty_table(market_table.name, ("pk", "sk"))
    empty_table(deployment.physical["IdempotencyTable"], ("id",))
    forget_stream_records()


def decode_policy(fields: dict[str, str]) -> dict[str, Any]:
    policy = fields.get("policy") or fields.get("Policy")
    assert policy, fields
    return dict(json.loads(base64.b64decode(policy)))
