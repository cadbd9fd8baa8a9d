"""Payload-2.0 events and API Gateway's response mapping (soko_local.payload)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from soko_local.payload import (
    HttpResponse,
    IncomingRequest,
    authorizer_event,
    gateway_error,
    http_event,
    map_response,
)

API_ID = "httpapi"
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


def request(
    method: str = "GET",
    path: str = "/listings/42",
    query_string: str = "",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> IncomingRequest:
    return IncomingRequest(
        method=method,
        path=path,
        query_string=query_string,
        headers=headers if headers is not None else [("Host", "localhost:3000")],
        body=body,
        source_ip="10.1.2.3",
        host="api.example.com:3000",
    )


def event_for(req: IncomingRequest, **kwargs: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "route_key": "GET /listings/{id}",
        "path_parameters": {"id": "42"},
        "api_id": API_ID,
        "account_id": ACCOUNT_ID,
    }
    options.update(kwargs)
    return http_event(req, **options)


# ---------------------------------------------------------------------------- http_event
def test_event_envelope() -> None:
    event = event_for(
        request(
            query_string="a=1",
            headers=[("Host", "api.example.com:3000"), ("User-Agent", "pytest/1")],
        )
    )

    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /listings/{id}"
    assert event["rawPath"] == "/listings/42"
    assert event["rawQueryString"] == "a=1"
    assert event["pathParameters"] == {"id": "42"}
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    assert "cookies" not in event
    context = event["requestContext"]
    assert context["accountId"] == ACCOUNT_ID
    assert context["apiId"] == API_ID
    assert context["domainName"] == "api.example.com"  # the port is not part of the domain
    assert context["domainPrefix"] == "api"
    assert context["http"] == {
        "method": "GET",
        "path": "/listings/42",
        "protocol": "HTTP/1.1",
        "sourceIp": "10.1.2.3",
        "userAgent": "pytest/1",
    }
    assert context["routeKey"] == "GET /listings/{id}"
    assert context["stage"] == "$default"
    uuid.UUID(context["requestId"])
    assert isinstance(context["timeEpoch"], int)
    assert "authorizer" not in context
    json.dumps(event)  # what is sent to the worker must serialise


def test_request_ids_differ_per_event() -> None:
    req = request()

    assert event_for(req)["requestContext"]["requestId"] != event_for(req)["requestContext"]["requestId"]


def test_no_path_parameters_key_when_route_has_none() -> None:
    assert "pathParameters" not in event_for(request(), route_key="GET /health", path_parameters={})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("Content-Type", "text/plain")], {"content-type": "text/plain"}),
        ([("X-Trace", "a"), ("x-trace", "b"), ("X-TRACE", "c")], {"x-trace": "a,b,c"}),
        ([("Accept", "a/b"), ("X-One", "1")], {"accept": "a/b", "x-one": "1"}),
        ([], {}),
    ],
)
def test_headers_are_lowercased_and_duplicates_comma_joined(
    headers: list[tuple[str, str]], expected: dict[str, str]
) -> None:
    assert event_for(request(headers=headers))["headers"] == expected


@pytest.mark.parametrize(
    ("headers", "cookies"),
    [
        ([("Cookie", "a=1")], ["a=1"]),
        ([("Cookie", "a=1; b=2")], ["a=1", "b=2"]),
        ([("cookie", "a=1;b=2; "), ("COOKIE", "c=3")], ["a=1", "b=2", "c=3"]),
    ],
)
def test_cookies_are_split_out_of_the_headers(headers: list[tuple[str, str]], cookies: list[str]) -> None:
    event = event_for(request(headers=[("X-Other", "y"), *headers]))

    assert event["cookies"] == cookies
    assert event["headers"] == {"x-other": "y"}


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("a=1", {"a": "1"}),
        ("a=1&b=2", {"a": "1", "b": "2"}),
        ("tag=x&tag=y&tag=z", {"tag": "x,y,z"}),
        ("q=hello+world&city=Nairobi%20CBD", {"q": "hello world", "city": "Nairobi CBD"}),
        ("empty=", {"empty": ""}),
        ("flag", {"flag": ""}),
    ],
)
def test_query_string_parameters(query_string: str, expected: dict[str, str]) -> None:
    event = event_for(request(query_string=query_string))

    assert event["queryStringParameters"] == expected
    assert event["rawQueryString"] == query_string


def test_absent_query_string_omits_the_key() -> None:
    event = event_for(request(query_string=""))

    assert "queryStringParameters" not in event
    assert event["rawQueryString"] == ""


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"name": "maize"}'),
        ("application/json; charset=utf-8", b'{"name": "mahindi \xc3\xa9"}'),
        ("Application/JSON", b"[1, 2]"),
        ("text/plain", b"hello"),
        ("text/csv", b"a,b\n1,2"),
        ("application/xml", b"<a/>"),
        ("application/problem+json", b'{"title": "x"}'),
        ("application/javascript", b"var x;"),
    ],
)
def test_text_bodies_are_plain(content_type: str, body: bytes) -> None:
    event = event_for(request(method="POST", headers=[("Content-Type", content_type)], body=body))

    assert event["body"] == body.decode("utf-8")
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ([("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n\x00\x01"),
        ([("Content-Type", "application/octet-stream")], b"\x00\xff\x10"),
        ([("Content-Type", "application/x-www-form-urlencoded")], b"name=maize&qty=2"),
        ([("Content-Type", "multipart/form-data; boundary=x")], b"--x\r\n\r\n--x--"),
        ([], b"no content type"),
        ([("Content-Type", "text/plain")], b"\xff\xfe not utf-8"),  # undecodable text falls back
    ],
)
def test_binary_and_form_bodies_are_base64(headers: list[tuple[str, str]], body: bytes) -> None:
    event = event_for(request(method="POST", headers=headers, body=body))

    assert event["isBase64Encoded"] is True
    assert event["body"] != body.decode("latin-1")
    assert base64.b64decode(event["body"]) == body


def test_authorizer_context_goes_to_request_context_authorizer_lambda() -> None:
    context = {"userId": "u-1", "roles": "farmer"}

    event = event_for(request(), authorizer_context=context)

    assert event["requestContext"]["authorizer"] == {"lambda": context}


def test_empty_authorizer_context_is_still_present() -> None:
    event = event_for(request(), authorizer_context={})

    assert event["requestContext"]["authorizer"] == {"lambda": {}}


# ---------------------------------------------------------------------------- authorizer_event
def test_authorizer_event() -> None:
    req = request(
        method="POST",
        path="/listings/42",
        query_string="a=1",
        headers=[("Authorization", "Bearer t"), ("Content-Type", "application/json"), ("Cookie", "s=1")],
        body=b'{"secret": "payload"}',
    )

    event = authorizer_event(
        req,
        route_key="POST /listings/{id}",
        path_parameters={"id": "42"},
        api_id=API_ID,
        account_id=ACCOUNT_ID,
        region=REGION,
        identity_source=["Bearer t"],
    )

    assert event["type"] == "REQUEST"
    assert event["version"] == "2.0"
    assert (
        event["routeArn"]
        == f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/$default/POST/listings/{{id}}"
    )
    assert event["identitySource"] == ["Bearer t"]
    assert "body" not in event
    assert "isBase64Encoded" not in event
    assert event["routeKey"] == "POST /listings/{id}"
    assert event["headers"]["authorization"] == "Bearer t"
    assert event["cookies"] == ["s=1"]
    assert event["queryStringParameters"] == {"a": "1"}
    assert event["pathParameters"] == {"id": "42"}
    assert "authorizer" not in event["requestContext"]


# ---------------------------------------------------------------------------- map_response
def header_map(response: HttpResponse) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in response.headers:
        found.setdefault(name, []).append(value)
    return found


def test_map_full_response() -> None:
    response = map_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "text/plain", "X-Count": 3},
            "multiValueHeaders": {"X-Multi": ["a", "b"]},
            "cookies": ["a=1; Path=/", "b=2"],
            "body": "created",
        }
    )

    assert response.status == 201
    assert header_map(response) == {
        "content-type": ["text/plain"],
        "x-count": ["3"],
        "x-multi": ["a", "b"],
        "set-cookie": ["a=1; Path=/", "b=2"],
    }
    assert response.body == b"created"


def test_map_base64_body_is_decoded() -> None:
    raw = b"\x89PNG\x00\xff"

    response = map_response(
        {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(raw).decode()}
    )

    assert response.body == raw


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("plain text", b"plain text"),
        ('{"already": "json"}', b'{"already": "json"}'),  # a string is sent as is, not re-encoded
        ({"id": 1}, b'{"id": 1}'),  # an object body is serialised
        ([1, 2], b"[1, 2]"),
        (None, b""),
        ("", b""),
    ],
)
def test_map_string_vs_object_body(body: Any, expected: bytes) -> None:
    assert map_response({"statusCode": 200, "body": body}).body == expected


@pytest.mark.parametrize(
    "result", [{"id": 1, "name": "maize"}, {"body": "x", "headers": {}}, {}, [1, 2, 3], 42]
)
def test_result_without_status_code_is_200_json(result: Any) -> None:
    response = map_response(result)

    assert response.status == 200
    assert response.headers == [("content-type", "application/json")]
    assert json.loads(response.body) == result


@pytest.mark.parametrize("status", ["200", 404.0])
def test_numeric_status_code_strings_are_accepted(status: Any) -> None:
    assert map_response({"statusCode": status}).status == int(float(status))


@pytest.mark.parametrize("status", ["abc", None, "", [200], {"code": 200}])
def test_invalid_status_code_is_a_500_gateway_error(status: Any) -> None:
    response = map_response({"statusCode": status, "body": "should not leak"})

    assert response.status == 500
    assert json.loads(response.body) == {"message": "Internal Server Error"}
    assert b"should not leak" not in response.body


def test_invalid_base64_body_is_a_500_gateway_error() -> None:
    response = map_response({"statusCode": 200, "isBase64Encoded": True, "body": "abc"})

    assert response.status == 500
    assert json.loads(response.body) == {"message": "Internal Server Error"}


def test_gateway_error_shape() -> None:
    response = gateway_error(403, "Forbidden")

    assert response.status == 403
    assert response.headers == [("content-type", "application/json")]
    assert json.loads(response.body) == {"message": "Forbidden"}
