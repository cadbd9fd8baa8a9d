"""The HTTP side of every API function: one resolver per function with validation on, the one
JSON error shape ``{"error": {"code", "message", "details"}}``, and the checks API Gateway leaves
to us (content type, body size) done before any parsing."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, Field

from soko.shared.errors import MalformedJson, SokoError, TooManyRequests
from soko.shared.identity import Caller, require_caller
from soko.shared.observability import Handler, lambda_entry, logger

MAX_BODY_BYTES = 256 * 1024  # JSON bodies only; images and media go straight to S3 (presigned POST)
JSON = content_types.APPLICATION_JSON


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code, e.g. ORDER_NOT_FOUND")
    message: str = Field(description="A sentence a person understands")
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorResponse(BaseModel):
    error: ErrorDetail


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing or invalid credentials",
    403: "Not allowed",
    404: "Not found",
    409: "Conflicts with the current state",
    410: "No longer available (expired)",
    413: "Body too large",
    415: "Unsupported content type",
    422: "Invalid values",
    429: "Too many requests",
    500: "Internal error",
    503: "A dependency is unavailable",
}


def error_responses(*codes: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI ``responses`` entries for the error codes a route can return."""
    return {
        code: {"description": _DESCRIPTIONS[code], "content": {JSON: {"model": ErrorResponse}}}
        for code in sorted({*codes, 500})
    }


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> str:
    return ErrorResponse(
        error=ErrorDetail(code=code, message=message, details=details or {})
    ).model_dump_json()


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    return Response(status, JSON, error_body(code, message, details), headers=headers)


_MALFORMED = MalformedJson("The request body is not valid JSON.")


def _raw_error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": JSON}, "body": error_body(code, message)}


def _field_errors(err: RequestValidationError) -> list[dict[str, str]]:
    # Never echo the rejected input: it may be a password or a token.
    return [
        {"field": ".".join(str(part) for part in e["loc"]), "type": e["type"], "message": e["msg"]}
        for e in err.errors()
    ]


def _on_domain_error(err: SokoError) -> Response[str]:
    headers = {"Retry-After": str(err.retry_after_seconds)} if isinstance(err, TooManyRequests) else None
    if err.status >= 500:
        logger.warning("dependency error", extra={"code": err.code})
    return error_response(err.status, err.code, err.message, err.details, headers)


def _on_validation_error(err: RequestValidationError) -> Response[str]:
    if any(e["type"] == "json_invalid" for e in err.errors()):
        return _on_domain_error(_MALFORMED)
    fields = _field_errors(err)
    names = ", ".join(f["field"] for f in fields)
    return error_response(422, "VALIDATION_ERROR", f"Some values are not valid: {names}.", {"fields": fields})


def _on_service_error(err: ServiceError) -> Response[str]:
    code = {404: "ROUTE_NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(err.status_code, "BAD_REQUEST")
    return error_response(err.status_code, code, str(err.msg))


def _on_unexpected(err: Exception) -> Response[str]:
    logger.exception("unhandled error")
    return error_response(500, "INTERNAL_ERROR", "Something went wrong on our side. Please try again.")


def create_app() -> APIGatewayHttpResolver:
    """A resolver with validation on and every error mapped to the one JSON shape."""
    app = APIGatewayHttpResolver(enable_validation=True)
    app.exception_handler(SokoError)(_on_domain_error)
    app.exception_handler(RequestValidationError)(_on_validation_error)
    app.exception_handler(ServiceError)(_on_service_error)
    app.exception_handler(RequestUnsupportedContentType)(
        lambda err: error_response(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.")
    )
    app.exception_handler(Exception)(_on_unexpected)
    return app


def _prepare(
    event: dict[str, Any], accept: tuple[str, ...], max_body_bytes: int
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The event to resolve, or the error response that rejects it before any parsing."""
    body = event.get("body")
    if not body:
        return event, None
    if event.get("isBase64Encoded"):
        size = len(body) * 3 // 4 - len(body) + len(body.rstrip("="))
    else:
        size = len(body.encode())
    if size > max_body_bytes:
        return event, _raw_error(
            413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {max_body_bytes} bytes."
        )
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in accept:
        return event, _raw_error(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Send the body as {' or '.join(accept)} (got {media_type or 'none'}).",
        )
    # Media types are case-insensitive (RFC 9110); the resolver's parser knows the lower-case form.
    event = {
        **event,
        "headers": {**{k: v for k, v in headers.items() if k != "content-type"}, "content-type": media_type},
    }
    if event.get("isBase64Encoded") and media_type == JSON:
        # API Gateway base64-encodes bodies it does not recognise as text; the resolver wants text.
        try:
            return {**event, "body": base64.b64decode(body).decode(), "isBase64Encoded": False}, None
        except (ValueError, UnicodeDecodeError):
            return event, _raw_error(_MALFORMED.status, _MALFORMED.code, _MALFORMED.message)
    return event, None


def entry(
    app: APIGatewayHttpResolver,
    *,
    accept: Iterable[str] = (JSON,),
    max_body_bytes: int = MAX_BODY_BYTES,
    on_context: Callable[[Any], None] | None = None,
) -> Handler:
    """The Lambda entry point of an API function: pre-checks, then the resolver."""
    accepted = tuple(accept)

    @lambda_entry()
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        event, rejected = _prepare(event, accepted, max_body_bytes)
        if rejected is not None:
            return rejected
        if on_context is not None:
            on_context(context)
        return app.resolve(event, context)

    return lambda_handler


def json_body(model: BaseModel, status: int = 200, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status, JSON, model.model_dump_json(), headers=headers)


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


Limit = Annotated[int, Query(ge=1, le=100, description="page size, 1-100")]
Cursor = Annotated[str | None, Query(max_length=12 * 1024, description="next_cursor of the previous page")]


def caller(app: APIGatewayHttpResolver) -> Caller:
    """The signed-in caller of the current request (401 when the authorizer gave no identity)."""
    return require_caller(app.current_event.raw_event)
