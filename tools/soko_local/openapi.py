"""One OpenAPI document for the whole HTTP API, generated from the handlers' own resolvers.

Each API function has its own Powertools resolver with its one route. This module takes the
routes from the template (so a route exists in the document only if API Gateway serves it),
imports each function's handler module, merges the resolvers' schemas, marks the routes the
Lambda authorizer protects, and fails when the template and the code disagree about a route.

It also says what the gateway itself answers (401 without a token, 403 for a refused one, in API
Gateway's own ``{"message"}`` shape), leaves a 204 without a body, and adds the OpenAPI ``links``
of ``LINKS`` (create -> read), so a generated client or a stateful test can chain them.

``python -m soko_local.openapi --write`` regenerates ``docs/openapi.json``; ``--check`` exits 1
when the checked-in document is stale (the contract test does the same).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soko_local.template import AppModel, load_app

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "openapi.json"
_POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
_BEARER = "bearerAuth"
_ERROR_REF = "#/components/schemas/ErrorResponse"
_GATEWAY_REF = "#/components/schemas/GatewayMessage"
_GATEWAY_MESSAGE = {
    "type": "object",
    "title": "GatewayMessage",
    "description": "API Gateway's own answer, before any function runs (no token: 401, refused token: 403).",
    "properties": {"message": {"type": "string", "enum": ["Unauthorized", "Forbidden"]}},
    "required": ["message"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: what ``source`` answers with ``status`` gives ``target``'s parameters."""

    source: str  # "METHOD /path"
    status: str
    target: str  # "METHOD /path"
    parameters: dict[str, str]  # target parameter -> runtime expression ($response.body#/...)


def _creates(source: str, status: str, field: str, *targets: str, parameter: str = "id") -> tuple[Link, ...]:
    return tuple(Link(source, status, t, {parameter: f"$response.body#/{field}"}) for t in targets)


# Routes whose handler reads a form itself (a provider's callback), not a JSON body Powertools
# documents: route -> "module:Model" of the fields it validates.
FORM_BODIES = {"POST /sms/delivery-reports": "soko.messaging.models:DeliveryReport"}
_FORM = "application/x-www-form-urlencoded"

# Create -> read (and what may follow on the created resource). Checked against the document.
LINKS: tuple[Link, ...] = (
    *_creates("POST /auth/register", "201", "id", "GET /users/{id}"),
    *_creates(
        "POST /listings/",
        "201",
        "id",
        "GET /listings/{id}",
        "PUT /listings/{id}",
        "DELETE /listings/{id}",
        "POST /listings/{id}/images",
    ),
    *_creates(
        "POST /orders/",
        "201",
        "id",
        "GET /orders/{id}",
        "PATCH /orders/{id}/status",
        "POST /orders/{id}/cancel",
        "POST /orders/{id}/review",
    ),
    *_creates("POST /payments/initiate", "201", "payment_id", "GET /payments/{id}/status"),
    *_creates("POST /posts/", "201", "id", "GET /posts/{id}", "PUT /posts/{id}", "DELETE /posts/{id}"),
    *_creates("POST /posts/", "201", "id", "POST /posts/{id}/media"),
    *_creates("POST /message/", "201", "conversation_id", "GET /message/conversations/{id}"),
    *_creates("GET /notifications/", "200", "items/0/id", "POST /notifications/{id}/read"),
)


class OpenApiError(RuntimeError):
    pass


def _resolver(app: AppModel, function: str) -> Any:
    handler = app.cfn["Resources"][function]["Properties"]["Handler"]
    module_name = handler.rpartition(".")[0].replace("/", ".")
    module = importlib.import_module(module_name)
    resolver = getattr(module, "app", None)
    if resolver is None or not hasattr(resolver, "get_openapi_json_schema"):
        raise OpenApiError(f"{module_name} (handler of {function}) has no Powertools resolver named `app`")
    return resolver


def _merge_component(target: dict[str, Any], name: str, schema: Any, source: str) -> None:
    if name in target and target[name] != schema:
        raise OpenApiError(f"schema {name!r} from {source} differs from another function's {name!r}")
    target[name] = schema


def _operations(app: AppModel) -> tuple[dict[str, Any], dict[str, Any]]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    seen: dict[str, int] = {}  # operation ids: a function serving an alias gets a numbered second id
    for api in app.http_apis:
        for method, path, function, authorizer in sorted(api.routes, key=lambda r: (r[1], r[0])):
            if path == "$default":
                continue
            document = json.loads(_resolver(app, function).get_openapi_json_schema(title="x", version="0"))
            operation = document.get("paths", {}).get(path, {}).get(method.lower())
            if operation is None:
                raise OpenApiError(f"{function} serves {method} {path} in the template but not in its code")
            served = {(p, m.lower()) for m, p, f, _ in api.routes if f == function}  # e.g. a legacy alias
            extra = [
                f"{m.upper()} {p}"
                for p, ops in document.get("paths", {}).items()
                for m in ops
                if (p, m) not in served
            ]
            if extra:
                raise OpenApiError(f"{function} has routes API Gateway never sends it: {', '.join(extra)}")
            _use_error_shape(operation, f"{method} {path}")
            operation_id = function[0].lower() + function[1:].removesuffix("Function")
            seen[operation_id] = seen.get(operation_id, 0) + 1
            operation["operationId"] = operation_id + (
                "" if seen[operation_id] == 1 else str(seen[operation_id])
            )
            if authorizer:
                operation["security"] = [{_BEARER: []}]
                _gateway_answers(operation)
            _no_content(operation)
            paths.setdefault(path, {})[method.lower()] = operation
            for name, schema in document.get("components", {}).get("schemas", {}).items():
                _merge_component(schemas, name, schema, function)
    return paths, schemas


def _gateway_answers(operation: dict[str, Any]) -> None:
    """A protected route's 401 comes from API Gateway; its 403 from the gateway or the function."""
    responses = operation["responses"]
    gateway = {"$ref": _GATEWAY_REF}
    responses["401"] = {
        "description": "No bearer token (API Gateway's answer)",
        "content": {"application/json": {"schema": gateway}},
    }
    refused = {"$ref": _ERROR_REF} if "403" in responses else None
    responses["403"] = {
        "description": "The token was refused (API Gateway)"
        + (f"; {responses['403']['description']}" if refused else ""),
        "content": {"application/json": {"schema": {"anyOf": [gateway, refused]} if refused else gateway}},
    }
    operation["responses"] = dict(sorted(responses.items()))


def _no_content(operation: dict[str, Any]) -> None:
    """A 204 has no body (Powertools documents the handler's return type as JSON content)."""
    if "204" in operation["responses"]:
        operation["responses"]["204"].pop("content", None)


def _add_form_bodies(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    for route, target in FORM_BODIES.items():
        operation = _operation_at(paths, route)
        module_name, _, name = target.partition(":")
        model = getattr(importlib.import_module(module_name), name)
        _merge_component(schemas, name, model.model_json_schema(by_alias=True), route)
        operation["requestBody"] = {
            "required": True,
            "content": {_FORM: {"schema": {"$ref": f"#/components/schemas/{name}"}}},
        }


def _add_links(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    for link in LINKS:
        source = _operation_at(paths, link.source)
        target = _operation_at(paths, link.target)
        response = source["responses"].get(link.status)
        if response is None:
            raise OpenApiError(f"link {link.source} -> {link.target}: {link.source} has no {link.status}")
        declared = {p["name"] for p in target.get("parameters", []) if p.get("in") == "path"}
        if set(link.parameters) != declared:
            raise OpenApiError(f"link {link.source} -> {link.target}: parameters {sorted(declared)}")
        for expression in link.parameters.values():
            _check_pointer(response, expression, schemas, f"{link.source} -> {link.target}")
        name = target["operationId"][0].upper() + target["operationId"][1:]
        response.setdefault("links", {})[name] = {
            "operationId": target["operationId"],
            "parameters": dict(link.parameters),
        }


def _operation_at(paths: dict[str, Any], route: str) -> dict[str, Any]:
    method, _, path = route.partition(" ")
    operation: dict[str, Any] | None = paths.get(path, {}).get(method.lower())
    if operation is None:
        raise OpenApiError(f"{route} is named here but the API does not serve it")
    return operation


def _check_pointer(response: dict[str, Any], expression: str, schemas: dict[str, Any], link: str) -> None:
    """The link's ``$response.body#/a/0/b`` exists in the documented response schema."""
    schema = response["content"]["application/json"]["schema"]
    for step in expression.removeprefix("$response.body#/").split("/"):
        while "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        schema = schema.get("items", {}) if step.isdigit() else schema.get("properties", {}).get(step)
        if schema is None:
            raise OpenApiError(f"link {link}: {expression} is not in the response")


def _use_error_shape(operation: dict[str, Any], route: str) -> None:
    """Every error is ErrorResponse: Powertools' default 422 schema is replaced (or dropped for a
    route that takes no input), and a route must document its errors with error_responses()."""
    responses = operation.setdefault("responses", {})
    default_422 = json.dumps(responses.get("422", {}))
    if "HTTPValidationError" in default_422:
        if operation.get("parameters") or operation.get("requestBody"):
            responses["422"] = {
                "description": "Invalid values",
                "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}},
            }
        else:
            responses.pop("422")
    if _ERROR_REF not in json.dumps(responses.get("500", {})):
        raise OpenApiError(f"{route} does not document its errors: add **error_responses(...) to responses=")
    operation["responses"] = dict(sorted(responses.items()))


def _unused_validation_schemas(document: dict[str, Any]) -> None:
    text = json.dumps(document["paths"])
    for name in _POWERTOOLS_VALIDATION_SCHEMAS:
        if f"#/components/schemas/{name}" not in text:
            document["components"]["schemas"].pop(name, None)


def generate(app: AppModel, version: str) -> dict[str, Any]:
    paths, schemas = _operations(app)
    schemas["GatewayMessage"] = _GATEWAY_MESSAGE
    _add_form_bodies(paths, schemas)
    _add_links(paths, schemas)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Soko API",
            "version": version,
            "description": (
                "Soko's HTTP API for mobile and web clients. Money is integer UGX, times are UTC ISO 8601, "
                "lists take `limit` and `cursor`, and every error is "
                '`{"error": {"code", "message", "details"}}`.'
            ),
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                _BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Access token from POST /auth/login, checked by the Lambda authorizer.",
                }
            },
        },
    }
    _unused_validation_schemas(document)
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def current() -> str:
    app = load_app(
        ROOT / "template.yaml", parameters={"Stage": "local"}, region="us-east-1", account_id="123456789012"
    )
    version = app.cfn.get("Parameters", {}).get("AppVersion", {}).get("Default", "0.0.0")
    return render(generate(app, str(version)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate docs/openapi.json")
    mode.add_argument("--check", action="store_true", help="exit 1 if docs/openapi.json is stale")
    args = parser.parse_args(argv)
    text = current()
    if args.write:
        DOCUMENT.parent.mkdir(parents=True, exist_ok=True)
        DOCUMENT.write_text(text)
        print(f"wrote {DOCUMENT.relative_to(ROOT)}")
        return 0
    if not DOCUMENT.exists() or DOCUMENT.read_text() != text:
        print("docs/openapi.json is stale: run `make openapi`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
