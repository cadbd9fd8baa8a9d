"""The checked-in OpenAPI document is the one the code and template generate, and it is valid."""

from __future__ import annotations

import json

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
