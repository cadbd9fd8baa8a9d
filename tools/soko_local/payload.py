"""API Gateway HTTP API (payload format 2.0) and Function URL events, and the response mapping
API Gateway applies to what a function returns."""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")


@dataclass(frozen=True)
class IncomingRequest:
    """The parts of an HTTP request an event is built from (independent of the web server)."""

    method: str
    path: str
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    host: str


def _headers(request: IncomingRequest) -> tuple[dict[str, str], list[str]]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    return headers, cookies


def _body(request: IncomingRequest, headers: dict[str, str]) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    content_type = headers.get("content-type", "").lower()
    if content_type.startswith(_TEXT_TYPES) or "+json" in content_type:
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode("ascii"), True


def _query(request: IncomingRequest) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for name, value in parse_qsl(request.query_string, keep_blank_values=True):
        params[name] = f"{params[name]},{value}" if name in params else value
    return params or None


def _context(
    request: IncomingRequest, *, api_id: str, route_key: str, account_id: str, headers: dict[str, str]
) -> dict[str, Any]:
    now = datetime.now(UTC)
    domain = request.host.split(":")[0]
    return {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": domain.split(".")[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(time.time() * 1000),
    }


def http_event(
    request: IncomingRequest,
    *,
    route_key: str,
    path_parameters: dict[str, str],
    api_id: str,
    account_id: str,
    authorizer_context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The payload-2.0 event API Gateway sends to a route's function (also a Function URL's)."""
    headers, cookies = _headers(request)
    body, is_base64 = _body(request, headers)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.query_string,
        "headers": headers,
        "requestContext": _context(
            request, api_id=api_id, route_key=route_key, account_id=account_id, headers=headers
        ),
        "isBase64Encoded": is_base64,
    }
    if cookies:
        event["cookies"] = cookies
    if (query := _query(request)) is not None:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body is not None:
        event["body"] = body
    if authorizer_context is not None:
        event["requestContext"]["authorizer"] = {"lambda": authorizer_context}
    return event


def authorizer_event(
    request: IncomingRequest,
    *,
    route_key: str,
    path_parameters: dict[str, str],
    api_id: str,
    account_id: str,
    region: str,
    identity_source: list[str],
) -> dict[str, Any]:
    """The REQUEST authorizer event (payload 2.0)."""
    event = http_event(
        request, route_key=route_key, path_parameters=path_parameters, api_id=api_id, account_id=account_id
    )
    event.pop("body", None)
    event.pop("isBase64Encoded", None)
    method, _, path = route_key.partition(" ")
    event["type"] = "REQUEST"
    event["routeArn"] = f"arn:aws:execute-api:{region}:{account_id}:{api_id}/$default/{method}{path}"
    event["identitySource"] = identity_source
    return event


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def gateway_error(status: int, message: str) -> HttpResponse:
    """An error API Gateway itself produces (its own shape, as on AWS)."""
    return HttpResponse(
        status, [("content-type", "application/json")], json.dumps({"message": message}).encode()
    )


def map_response(result: Any) -> HttpResponse:
    """API Gateway's payload-2.0 response mapping of a function's successful result."""
    if isinstance(result, dict) and "statusCode" in result:
        try:
            status = int(result["statusCode"])
        except (TypeError, ValueError):
            return gateway_error(500, "Internal Server Error")
        headers = [(str(k).lower(), str(v)) for k, v in (result.get("headers") or {}).items()]
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers.extend((str(name).lower(), str(v)) for v in values)
        headers.extend(("set-cookie", str(c)) for c in result.get("cookies") or [])
        raw = result.get("body")
        if raw is None:
            body = b""
        elif result.get("isBase64Encoded"):
            try:
                body = base64.b64decode(str(raw), validate=True)
            except ValueError:
                return gateway_error(500, "Internal Server Error")
        else:
            body = (raw if isinstance(raw, str) else json.dumps(raw)).encode()
        return HttpResponse(status, headers, body)
    return HttpResponse(200, [("content-type", "application/json")], json.dumps(result).encode())
