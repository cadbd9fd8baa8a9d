"""What the posts functional tests share: ``Gateway``, an in-process stand-in for the HTTP API,
users (ids only), and direct reads of the posts table.

``Gateway`` finds a route's function from the template's routes and passes that function's sample
event (``events/<LogicalId>.json``) adapted to the request. On a protected route the caller reaches
the function only as the authorizer's context; public routes get no identity. Every call records the
AWS operations it made (``Gateway.operations``, filled by the ``gateway`` fixture), so a test can
prove a list never Scans.
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from soko.shared import config as soko_config
from soko.shared import ids
from soko_local.provision import Deployment

REGION = "us-east-1"
EVENTS = Path(__file__).resolve().parents[3] / "events"


@dataclass(frozen=True)
class User:
    id: str
    role: str

    @property
    def context(self) -> dict[str, str]:
        return {"userId": self.id, "role": self.role, "email": f"{self.id.lower()}@example.com"}


def new_user(role: str = "farmer") -> User:
    return User(ids.ulid(), role)


@dataclass
class Reply:
    status: int
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None

    def expect(self, status: int, code: str | None = None) -> Reply:
        assert self.status == status, f"expected {status}, got {self.status}: {self.text}"
        if code is not None:
            assert self.error["code"] == code, self.text
        return self

    @property
    def error(self) -> dict[str, Any]:
        body = self.json
        assert isinstance(body, dict) and set(body) == {"error"}, self.text
        assert set(body["error"]) == {"code", "message", "details"}, self.text
        assert body["error"]["message"], self.text
        return dict(body["error"])

    @property
    def fields(self) -> set[str]:
        details = self.error["details"]
        names = {str(details["field"])} if "field" in details else set()
        return names | {str(f["field"]).split(".", 1)[-1] for f in details.get("fields", [])}


@dataclass
class Ctx:
    function_name: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test"
    log_group_name: str = "/aws/lambda/test"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@dataclass
class Gateway:
    deployment: Deployment
    routes: tuple[tuple[str, str, str, str | None], ...]
    operations: list[str] = field(default_factory=list)

    def _route(self, method: str, path: str) -> tuple[str, str, str | None, dict[str, str]]:
        segments = path.split("/")
        found = []
        for route_method, route_path, function, authorizer in self.routes:
            pattern = route_path.split("/")
            if route_method != method or len(pattern) != len(segments):
                continue
            params = {}
            for part, value in zip(pattern, segments, strict=True):
                if part.startswith("{") and value:
                    params[part[1:-1]] = urllib.parse.unquote(value)
                elif part != value:
                    break
            else:
                found.append((len(params), route_path, function, authorizer, params))
        assert found, f"the template has no route for {method} {path}"
        _, route_path, function, authorizer, params = min(found, key=lambda f: f[0])
        return route_path, function, authorizer, params

    def _invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        config = self.deployment.functions[logical_id]
        saved = {k: os.environ.get(k) for k in config.environment}
        os.environ.update(config.environment)
        soko_config.load.cache_clear()
        try:
            module, _, attribute = config.handler.rpartition(".")
            return getattr(importlib.import_module(module), attribute)(event, Ctx(config.name))
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            soko_config.load.cache_clear()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        user: User | None = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        route_path, function, authorizer, params = self._route(method, path)
        event = copy.deepcopy(json.loads((EVENTS / f"{function}.json").read_text()))
        for key in ("body", "queryStringParameters", "pathParameters"):
            event.pop(key, None)
        strings = {k: str(v) for k, v in (query or {}).items() if v is not None}
        request_headers = {"host": "api.soko.local", **{k.lower(): v for k, v in (headers or {}).items()}}
        if body is not None:
            request_headers.setdefault("content-type", "application/json")
            event["body"] = body if isinstance(body, str) else json.dumps(body)
        event.update(
            routeKey=f"{method} {route_path}",
            rawPath=path,
            rawQueryString=urllib.parse.urlencode(strings),
            headers=request_headers,
        )
        context = event["requestContext"]
        context.pop("authorizer", None)
        context.update(routeKey=f"{method} {route_path}")
        context["http"].update(method=method, path=path)
        if strings:
            event["queryStringParameters"] = strings
        if params:
            event["pathParameters"] = params
        if user is not None and authorizer is not None:
            context["authorizer"] = {"lambda": user.context}
        self.operations.clear()
        result = self._invoke(function, event)
        return Reply(int(result["statusCode"]), str(result.get("body") or ""))

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.request("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)


@dataclass
class PostsTable:
    name: str

    @property
    def table(self) -> Any:
        return boto3.resource("dynamodb", region_name=REGION).Table(self.name)

    def items(self) -> list[dict[str, Any]]:
        """Every item (a Scan: test bookkeeping only)."""
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"ConsistentRead": True}
        while True:
            page = self.table.scan(**kwargs)
            found += page["Items"]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def item_keys(self) -> set[tuple[str, str]]:
        return {(str(i["pk"]), str(i["sk"])) for i in self.items()}
