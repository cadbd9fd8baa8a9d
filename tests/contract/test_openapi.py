"""The checked-in OpenAPI document is the one the code and template generate, and it is valid."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from soko_local import openapi


def test_checked_in_document_is_current() -> None:
    assert openapi.DOCUMENT.exists(), "docs/openapi.json is missing: run `make openapi`"
    assert openapi.DOCUMENT.read_text() == openapi.current(), "docs/openapi.json is stale: run `make openapi`"


def test_document_is_valid_openapi_3_1() -> None:
    validate(json.loads(openapi.DOCUMENT.read_text()))


def test_every_template_route_is_documented_with_the_error_shape(app_model) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(openapi.DOCUMENT.read_text())
    for api in app_model.http_apis:
        for method, path, _function, authorizer in api.routes:
            operation = document["paths"][path][method.lower()]
            assert "500" in operation["responses"], f"{method} {path} documents no error response"
            assert ("security" in operation) == (authorizer is not None), f"{method} {path} security"
    assert "HTTPValidationError" not in json.dumps(document)


def test_creates_link_to_their_reads_and_protected_routes_document_the_gateways_answers() -> None:
    document = json.loads(openapi.DOCUMENT.read_text())
    ids = {(m.upper(), p): op["operationId"] for p, ops in document["paths"].items() for m, op in ops.items()}
    for link in openapi.LINKS:
        method, _, path = link.source.partition(" ")
        links = document["paths"][path][method.lower()]["responses"][link.status]["links"]
        target = ids[tuple(link.target.split(" ", 1))]  # type: ignore[index]
        assert {"operationId": target, "parameters": link.parameters} in links.values(), link
    assert ("GET", "/listings/{id}") in {tuple(link.target.split(" ", 1)) for link in openapi.LINKS}
    unauthorized = document["paths"]["/orders/"]["post"]["responses"]["401"]
    assert unauthorized["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GatewayMessage"
    }
    assert "content" not in document["paths"]["/auth/logout"]["post"]["responses"]["204"]


def test_a_link_to_a_field_the_response_lacks_is_refused(app_model, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    wrong = openapi.Link("POST /orders/", "201", "GET /orders/{id}", {"id": "$response.body#/order_number"})
    monkeypatch.setattr(openapi, "LINKS", (wrong,))

    with pytest.raises(openapi.OpenApiError, match="order_number"):
        openapi.generate(app_model, "0")
