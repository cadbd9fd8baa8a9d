"""GET /gaps/summary"""

from aws_lambda_powertools.event_handler import Response

from soko.matching import logic
from soko.matching.deps import matching
from soko.matching.models import GapsAnswer
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/gaps/summary",
    summary="Coverage gaps, most demanded first",
    description="Public. Crops people asked to route that we have no prices for, with counts.",
    tags=["location"],
    responses={
        200: {"description": "Gaps by crop", "content": {JSON: {"model": GapsAnswer}}},
        **error_responses(),
    },
)
def gaps() -> Response[str]:
    return json_body(logic.gaps(matching()))


lambda_handler = entry(app)
