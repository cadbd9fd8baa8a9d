"""GET /coverage"""

from aws_lambda_powertools.event_handler import Response

from soko.matching import routing
from soko.matching.deps import matching
from soko.matching.models import CoverageAnswer
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/coverage",
    summary="Price coverage by crop and market",
    description="Public. Observation counts per (crop, market) and whether a model can be trained "
    "(`model_ready`: at least 52 observations).",
    tags=["location"],
    responses={
        200: {"description": "Coverage", "content": {JSON: {"model": CoverageAnswer}}},
        **error_responses(),
    },
)
def coverage() -> Response[str]:
    return json_body(routing.coverage(matching()))


lambda_handler = entry(app)
