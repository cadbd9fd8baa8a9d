"""An in-process stand-in for the HTTP API: a route's function found from the template's routes, a
payload-2.0 event adapted from the function's sample event (``events/<LogicalId>.json``), the caller
given as the Lambda authorizer's context, and the answer as a ``Reply``."""

from __future__ import annotations

import contextlib
import copy
import json
import time
import urllib.parse
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from soko.identity import tokens
from support.lambda_env import Invoke
from support.runtime import ROOT
from support.users import User

EVENTS = ROOT / "events"
Routes = tuple[tuple[str, str, str, str | None], ...]
Observe = Callable[[str, str], AbstractContextManager[None]]  # (method, route path) -> around the call
NO_BODY: Any = object()


def sample_event(logical_id: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / f"{logical_id}.json").read_text()))


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    function: str | None = None  # the function that answered (None: the gateway itself)

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
        """The request fields a 4xx names: ``details.field`` or each ``details.fields[].field``
        (without the ``body.``/``query.`` location prefix)."""
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


def http_event(
    function: str | None,
    method: str,
    path: str,
    *,
    route_path: str | None = None,
    headers: dict[str, str] | None = None,
    content_type: str | None = "application/json",
    params: dict[str, str] | None = None,
    query: dict[str, Any] | None = None,
    body: Any = None,
    context: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A payload-2.0 event: ``function``'s sample event (``events/<LogicalId>.json``) adapted to this
    request, or a bare event without one. A str ``body`` is sent as it is, anything else as JSON;
    ``context`` is the authorizer's (identity comes only from there: none unless given)."""
    event = copy.deepcopy(sample_event(function)) if function else _bare_event()
    route_key = f"{method} {route_path}" if route_path else event.get("routeKey") or f"{method} {path}"
    for key in ("body", "queryStringParameters", "pathParameters", "cookies"):
        event.pop(key, None)
    strings = {k: str(v) for k, v in (query or {}).items() if v is not None}
    request_headers = {"content-type": content_type} if content_type else {}
    request_headers.update(headers or {})
    event.update(
        routeKey=route_key,
        rawPath=path,
        rawQueryString=urllib.parse.urlencode(strings),
        headers=request_headers,
        isBase64Encoded=False,
    )
    block = event["requestContext"]
    block.pop("authorizer", None)
    block.update(routeKey=route_key, requestId=str(uuid.uuid4()), timeEpoch=int(time.time() * 1000))
    block["http"].update(method=method, path=path, userAgent=request_headers.get("user-agent", ""))
    if strings:
        event["queryStringParameters"] = strings
    if params:
        event["pathParameters"] = dict(params)
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    if context is not None:
        block["authorizer"] = {"lambda": dict(context)}
    return event


def _bare_event() -> dict[str, Any]:
    return {
        "version": "2.0",
        "requestContext": {"stage": "$default", "http": {"sourceIp": "127.0.0.1"}},
    }


def find_route(routes: Routes, method: str, path: str) -> tuple[str, str, str | None, dict[str, str]]:
    """(route path, function, authorizer, path parameters); exact segments win over parameters."""
    segments = path.split("/")
    candidates = []
    for route_method, route_path, function, authorizer in routes:
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


@dataclass
class Api:
    """The HTTP API in-process.

    A signed-in ``user`` reaches a protected route's function as the authorizer's context, and a
    public route as ``Authorization: Bearer <token>`` when ``jwt_secret`` is given (issuer ``soko``,
    audience ``soko-api``). With ``run_authorizer`` a protected route called with a ``token`` instead
    runs the template's ``AuthorizerFunction`` exactly as API Gateway would (no token: 401, refused:
    403, both in API Gateway's own ``{"message"}`` shape). ``observe`` wraps every function call.
    """

    invoke: Invoke
    routes: Routes
    jwt_secret: Callable[[], str] | None = None
    run_authorizer: bool = False
    observe: Observe | None = None
    history: list[Reply] = field(default_factory=list)
    authorizer_calls: int = 0

    def route(self, method: str, path: str) -> tuple[str, str, str | None, dict[str, str]]:
        return find_route(self.routes, method, path)

    def token(self, user: User) -> str:
        assert self.jwt_secret is not None, "this Api signs no tokens"
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
        body: Any = NO_BODY,
        *,
        user: User | None = None,
        token: str | None = None,
        bearer: str | None = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        raw_body: str | None = None,
        content_type: str | None = "application/json",
        skip_authorizer: bool = False,
    ) -> Reply:
        """One request through the gateway. ``bearer`` sends that exact Authorization value; a str
        ``body`` or ``raw_body`` is sent as it is; ``skip_authorizer`` invokes a protected route's
        function with no authorizer context at all (as if the gateway were misconfigured)."""
        route_path, function, authorizer, params = self.route(method, path)
        text = raw_body if raw_body is not None else _text(body)
        request_headers = {"host": "api.soko.local", "user-agent": "SokoTests/1.0"}
        if content_type is not None and text is not None:
            request_headers["content-type"] = content_type
        if user is not None and authorizer is None and self.jwt_secret is not None:
            request_headers["authorization"] = f"Bearer {self.token(user)}"
        if token is not None:
            request_headers["authorization"] = f"Bearer {token}"
        if bearer is not None:
            request_headers["authorization"] = bearer
        request_headers.update({k.lower(): v for k, v in (headers or {}).items()})
        context = user.context if user is not None and authorizer is not None else None
        if authorizer and context is None and self.run_authorizer and not skip_authorizer:
            if "authorization" not in request_headers:
                return self._record(Reply(401, {}, json.dumps({"message": "Unauthorized"})))
            context = self.authorize(f"{method} {route_path}", path, request_headers, params)
            if context is None:
                return self._record(Reply(403, {}, json.dumps({"message": "Forbidden"})))
        event = http_event(
            function,
            method,
            path,
            route_path=route_path,
            headers=request_headers,
            content_type=None,
            params=params,
            query=query,
            body=text,
            context=context,
        )
        with self.observe(method, route_path) if self.observe else contextlib.nullcontext():
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

    def post(self, path: str, body: Any = NO_BODY, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = NO_BODY, **kwargs: Any) -> Reply:
        return self.request("PUT", path, body, **kwargs)

    def patch(self, path: str, body: Any = NO_BODY, **kwargs: Any) -> Reply:
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)


def _text(body: Any) -> str | None:
    if body is NO_BODY:
        return None
    return body if isinstance(body, str) else json.dumps(body)
