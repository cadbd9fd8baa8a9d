"""``GET /docs``: Swagger UI over the checked-in OpenAPI document, with the assets Powertools
ships inlined (no CDN: the local runtime works offline)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def spec() -> str:
    return OPENAPI_PATH.read_text() if OPENAPI_PATH.exists() else "{}"


@cache
def _assets() -> tuple[str, str]:
    folder = resources.files("aws_lambda_powertools.event_handler.openapi.swagger_ui")
    return (folder / "swagger-ui-bundle.min.js").read_text(), (folder / "swagger-ui.min.css").read_text()


def page() -> str:
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import (  # noqa: PLC0415
        generate_swagger_html,
    )

    script, css = _assets()
    return generate_swagger_html(spec(), script, css, "", None)
