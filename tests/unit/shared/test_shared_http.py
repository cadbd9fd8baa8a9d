"""soko.shared.http: a resolver built with create_app() and called through entry(), the way API
Gateway (HTTP API, payload 2.0) calls a function."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from soko.shared import errors
from soko.shared.http import MAX_BODY_BYTES, ErrorResponse, create_app, entry, error_responses, json_body

SECRET_PASSWORD = "hunter2-secret"  # too short for the model below: it is always a rejected value


class SignUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    phone: str = Field(pattern=r"^\+256\d{9}$")
    password: str = Field(min_length=16)


class Created(BaseModel):
    name: str
    phone: str


class ListingNotFound(errors.NotFound):
    code = "LISTING_NOT_FOUND"


DOMAIN_ERRORS: dict[str, errors.SokoError] = {
    "bad-request": errors.BadRequest("Bad."),
    "unauthorized": errors.Unauthorized("Sign in to use this."),
    "forbidden": errors.Forbidden("Not yours.", details={"role": "buyer"}),
    "not-found": errors.NotFound("No such order."),
    "listing-not-found": ListingNotFound("No such listing.", details={"listing_id": "L1"}),
    "code-override": errors.Conflict("Already paid.", code="ORDER_ALREADY_PAID"),
    "conflict": errors.Conflict("Changed meanwhile."),
    "payload-too-large": errors.PayloadTooLarge("Too big."),
    "unsupported": errors.UnsupportedMediaType("Wrong type."),
    "unprocessable": errors.Unprocessable("Quantity exceeds stock.", details={"available": 3}),
    "unavailable": errors.DependencyUnavailable("The database is busy."),
    "cursor": errors.InvalidCursor("Bad cursor.", details={"field": "cursor"}),
}

calls: list[str] = []

app = create_app()


@app.post("/accounts", responses=error_responses(400, 409, 413, 415, 422))
def sign_up(body: SignUp) -> Any:
    calls.append("sign_up")
    return json_body(Created(name=body.name, phone=body.phone), 201)


@app.get("/errors/<kind>", responses=error_responses(400, 401, 403, 404, 409, 422, 503))
def raise_domain_error(kind: str) -> Any:
    raise DOMAIN_ERRORS[kind]


@app.get("/throttled", responses=error_responses(429))
def throttled() -> Any:
    raise errors.TooManyRequests("Slow down.", retry_after_seconds=37)


@app.get("/boom", responses=error_responses())
def boom() -> Any:
    raise RuntimeError(f"connection string postgres://admin:{SECRET_PASSWORD}@db failed")


@app.get("/items", responses=error_responses(422))
def list_items(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Any:
    return {"limit": limit}


handler = entry(app)
small_handler = entry(app, max_body_bytes=64)


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    calls.clear()


def http_event(
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    base64_encoded: bool = False,
) -> dict[str, Any]:
    """A minimal valid API Gateway HTTP API (payload 2.0) event."""
    raw_query = "&".join(f"{k}={v}" for k, v in (query or {}).items())
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": {"host": "api.soko.test", "user-agent": "pytest", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "soko-api",
            "domainName": "api.soko.test",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "pytest",
            },
            "requestId": "req-0001",
            "routeKey": f"{method} {path}",
            "stage": "$default",
            "time": "01/Jan/2025:00:00:00 +0000",
            "timeEpoch": 1735689600000,
        },
        "isBase64Encoded": base64_encoded,
    }
    if query:
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = body
    return event


def post_json(payload: Any, **kwargs: Any) -> dict[str, Any]:
    return http_event(
        "POST", "/accounts", body=json.dumps(payload), headers={"content-type": "application/json"}, **kwargs
    )


VALID_SIGN_UP = {"name": "Amina", "phone": "+256700123456", "password": "correct-horse-battery"}


def error_of(response: dict[str, Any], status: int, code: str) -> dict[str, Any]:
    """Assert the one error shape and return ``error``."""
    assert response["statusCode"] == status, response
    headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
    assert headers["content-type"] == "application/json"
    body = json.loads(response["body"])
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    ErrorResponse.model_validate(body)
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], dict)
    return error


# --- the happy path --------------------------------------------------------------------------------


def test_valid_json_body_reaches_the_route(lambda_context: Any) -> None:
    response = handler(post_json(VALID_SIGN_UP), lambda_context)

    assert response["statusCode"] == 201
    assert json.loads(response["body"]) == {"name": "Amina", "phone": "+256700123456"}
    assert calls == ["sign_up"]


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_json_content_type_variants_are_accepted(content_type: str, lambda_context: Any) -> None:
    event = http_event(
        "POST", "/accounts", body=json.dumps(VALID_SIGN_UP), headers={"content-type": content_type}
    )

    assert handler(event, lambda_context)["statusCode"] == 201


@pytest.mark.parametrize("content_type", ["Application/JSON", "APPLICATION/JSON; charset=UTF-8"])
def test_media_type_is_case_insensitive(content_type: str, lambda_context: Any) -> None:
    event = http_event(
        "POST", "/accounts", body=json.dumps(VALID_SIGN_UP), headers={"content-type": content_type}
    )

    assert handler(event, lambda_context)["statusCode"] == 201


def test_base64_encoded_json_body_is_decoded_and_accepted(lambda_context: Any) -> None:
    encoded = base64.b64encode(json.dumps(VALID_SIGN_UP).encode()).decode()
    event = http_event(
        "POST", "/accounts", body=encoded, headers={"content-type": "application/json"}, base64_encoded=True
    )

    response = handler(event, lambda_context)

    assert response["statusCode"] == 201
    assert json.loads(response["body"])["phone"] == "+256700123456"


def test_request_without_body_skips_the_body_checks(lambda_context: Any) -> None:
    response = handler(http_event("GET", "/items", query={"limit": "5"}), lambda_context)

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"limit": 5}


# --- malformed and invalid input ----------------------------------------------------------------------


@pytest.mark.parametrize("body", ['{"name": ', "{'name': 'Amina'}", "not json at all", '{"name": "A",}'])
def test_malformed_json_is_400(body: str, lambda_context: Any) -> None:
    event = http_event("POST", "/accounts", body=body, headers={"content-type": "application/json"})

    error = error_of(handler(event, lambda_context), 400, "MALFORMED_JSON")

    assert calls == []
    assert error["details"] == {}


def test_base64_body_that_is_not_utf8_is_400(lambda_context: Any) -> None:
    event = http_event(
        "POST",
        "/accounts",
        body=base64.b64encode(b"\xff\xfe{}").decode(),
        headers={"content-type": "application/json"},
        base64_encoded=True,
    )

    error_of(handler(event, lambda_context), 400, "MALFORMED_JSON")


def test_missing_fields_are_422_naming_each_field(lambda_context: Any) -> None:
    error = error_of(handler(post_json({"name": "Amina"}), lambda_context), 422, "VALIDATION_ERROR")

    fields = {f["field"]: f["type"] for f in error["details"]["fields"]}
    assert fields == {"body.phone": "missing", "body.password": "missing"}
    assert "body.phone" in error["message"]
    assert calls == []


def test_invalid_fields_are_422_and_never_echo_the_rejected_values(
    lambda_context: Any, log_output: Callable[[], str]
) -> None:
    payload = {"name": "", "phone": "0700-not-a-phone", "password": SECRET_PASSWORD}

    response = handler(post_json(payload), lambda_context)

    error = error_of(response, 422, "VALIDATION_ERROR")
    assert {f["field"] for f in error["details"]["fields"]} == {"body.name", "body.phone", "body.password"}
    for item in error["details"]["fields"]:
        assert set(item) == {"field", "type", "message"}
    for rejected in (SECRET_PASSWORD, "0700-not-a-phone"):
        assert rejected not in response["body"]
        assert rejected not in log_output()


def test_unexpected_field_is_422(lambda_context: Any) -> None:
    error = error_of(
        handler(post_json({**VALID_SIGN_UP, "role": "admin"}), lambda_context), 422, "VALIDATION_ERROR"
    )

    assert [f["field"] for f in error["details"]["fields"]] == ["body.role"]


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "42"])
def test_json_that_is_not_an_object_is_422_on_body(body: str, lambda_context: Any) -> None:
    event = http_event("POST", "/accounts", body=body, headers={"content-type": "application/json"})

    error = error_of(handler(event, lambda_context), 422, "VALIDATION_ERROR")

    assert [f["field"] for f in error["details"]["fields"]] == ["body"]


def test_invalid_query_parameter_is_422_naming_the_parameter(lambda_context: Any) -> None:
    response = handler(http_event("GET", "/items", query={"limit": "1000"}), lambda_context)

    error = error_of(response, 422, "VALIDATION_ERROR")
    assert [f["field"] for f in error["details"]["fields"]] == ["query.limit"]


# --- content type and size pre-checks --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "got"),
    [
        ({"content-type": "text/plain"}, "text/plain"),
        ({"content-type": "application/x-www-form-urlencoded"}, "application/x-www-form-urlencoded"),
        ({"content-type": "multipart/form-data; boundary=x"}, "multipart/form-data"),
        ({}, "none"),
    ],
)
def test_wrong_content_type_is_415(headers: dict[str, str], got: str, lambda_context: Any) -> None:
    event = http_event("POST", "/accounts", body=json.dumps(VALID_SIGN_UP), headers=headers)

    error = error_of(handler(event, lambda_context), 415, "UNSUPPORTED_MEDIA_TYPE")

    assert got in error["message"]
    assert calls == []


def test_body_over_the_default_limit_is_413(lambda_context: Any) -> None:
    body = json.dumps({**VALID_SIGN_UP, "name": "a" * MAX_BODY_BYTES})

    error = error_of(handler(post_json(json.loads(body)), lambda_context), 413, "PAYLOAD_TOO_LARGE")

    assert str(MAX_BODY_BYTES) in error["message"]
    assert calls == []


def test_body_limit_counts_bytes_not_characters(lambda_context: Any) -> None:
    ascii_body = '{"name":"' + "a" * 40 + '"}'  # 50 bytes: under the 64-byte limit
    wide_body = '{"name":"' + "é" * 40 + '"}'  # 50 characters, 90 bytes of UTF-8
    headers = {"content-type": "application/json"}

    small = small_handler(http_event("POST", "/accounts", body=ascii_body, headers=headers), lambda_context)
    wide = small_handler(http_event("POST", "/accounts", body=wide_body, headers=headers), lambda_context)

    assert small["statusCode"] == 422  # passed the size check, then failed validation
    error_of(wide, 413, "PAYLOAD_TOO_LARGE")


def test_size_is_checked_before_content_type(lambda_context: Any) -> None:
    event = http_event("POST", "/accounts", body="x" * 100, headers={"content-type": "text/plain"})

    error_of(small_handler(event, lambda_context), 413, "PAYLOAD_TOO_LARGE")


def test_base64_body_over_the_limit_is_413(lambda_context: Any) -> None:
    decoded = json.dumps({"name": "a" * 100}).encode()  # > 64 bytes once decoded
    event = http_event(
        "POST",
        "/accounts",
        body=base64.b64encode(decoded).decode(),
        headers={"content-type": "application/json"},
        base64_encoded=True,
    )

    error_of(small_handler(event, lambda_context), 413, "PAYLOAD_TOO_LARGE")
    assert calls == []


def test_base64_body_under_the_limit_is_not_413(lambda_context: Any) -> None:
    decoded = b'{"name":"' + b"a" * 40 + b'"}'  # 50 bytes; its base64 text is 68 characters
    event = http_event(
        "POST",
        "/accounts",
        body=base64.b64encode(decoded).decode(),
        headers={"content-type": "application/json"},
        base64_encoded=True,
    )
    assert len(event["body"]) > 64

    assert small_handler(event, lambda_context)["statusCode"] == 422


def test_base64_body_of_exactly_the_limit_is_accepted_like_a_text_body(lambda_context: Any) -> None:
    raw = '{"name":"' + "a" * 53 + '"}'  # exactly 64 bytes; 64 % 3 == 1, so base64 adds "=="
    assert len(raw.encode()) == 64
    headers = {"content-type": "application/json"}
    text_event = http_event("POST", "/accounts", body=raw, headers=headers)
    b64_event = http_event(
        "POST",
        "/accounts",
        body=base64.b64encode(raw.encode()).decode(),
        headers=headers,
        base64_encoded=True,
    )

    assert small_handler(text_event, lambda_context)["statusCode"] == 422
    assert small_handler(b64_event, lambda_context)["statusCode"] == 422


# --- domain errors and the unexpected ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(DOMAIN_ERRORS))
def test_domain_errors_map_to_their_status_and_code(kind: str, lambda_context: Any) -> None:
    expected = DOMAIN_ERRORS[kind]

    error = error_of(
        handler(http_event("GET", f"/errors/{kind}"), lambda_context), expected.status, expected.code
    )

    assert error["message"] == expected.message
    assert error["details"] == expected.details


def test_subclass_and_override_codes_are_used() -> None:
    assert DOMAIN_ERRORS["listing-not-found"].code == "LISTING_NOT_FOUND"
    assert DOMAIN_ERRORS["listing-not-found"].status == 404
    assert DOMAIN_ERRORS["code-override"].code == "ORDER_ALREADY_PAID"
    assert errors.Conflict("x").code == "CONFLICT"  # the override did not leak into the class


def test_too_many_requests_sets_retry_after(lambda_context: Any) -> None:
    response = handler(http_event("GET", "/throttled"), lambda_context)

    error = error_of(response, 429, "TOO_MANY_REQUESTS")
    assert response["headers"]["Retry-After"] == "37"
    assert error["details"] == {"retry_after_seconds": 37}


def test_unexpected_exception_is_a_generic_500(lambda_context: Any, log_output: Callable[[], str]) -> None:
    response = handler(http_event("GET", "/boom"), lambda_context)

    error = error_of(response, 500, "INTERNAL_ERROR")
    assert error["details"] == {}
    for leaked in (SECRET_PASSWORD, "postgres://", "RuntimeError", "Traceback", "test_shared_http"):
        assert leaked not in response["body"]
    assert "unhandled error" in log_output()  # the detail goes to the logs instead


def test_unknown_route_uses_the_error_shape(lambda_context: Any) -> None:
    error_of(handler(http_event("GET", "/nowhere"), lambda_context), 404, "ROUTE_NOT_FOUND")


# --- OpenAPI -------------------------------------------------------------------------------------------


def test_error_responses_always_includes_500() -> None:
    assert list(error_responses()) == [500]
    assert list(error_responses(404, 400, 404)) == [400, 404, 500]
    assert list(error_responses(500)) == [500]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503])
def test_error_responses_document_error_response(status: int) -> None:
    entry_ = error_responses(status)[status]

    assert entry_["description"]
    assert entry_["content"]["application/json"]["model"] is ErrorResponse


def test_openapi_schema_references_error_response() -> None:
    schema = json.loads(app.get_openapi_json_schema())

    responses = schema["paths"]["/accounts"]["post"]["responses"]
    for status in ("400", "409", "413", "415", "422", "500"):
        assert responses[status]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["required"]) == {"code", "message"}
