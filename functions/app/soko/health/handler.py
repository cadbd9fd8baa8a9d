"""GET /health (public)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from soko.health import logic
from soko.health.deps import probe
from soko.health.models import HealthConfig, HealthReport
from soko.shared.config import load
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/health",
    summary="Service health",
    description="Checks that the service's tables and event bus answer; 503 when one does not.",
    tags=["health"],
    responses={
        200: {"description": "Healthy", "content": {JSON: {"model": HealthReport}}},
        503: {"description": "A dependency is unavailable", "content": {JSON: {"model": HealthReport}}},
        **error_responses(),
    },
)
def get_health() -> Response[str]:
    report = logic.check_health(load(HealthConfig), probe())
    return json_body(report, 200 if report.status == "ok" else 503)


lambda_handler = entry(app)
