"""GET /gaps/summary"""

from aws_lambda_powertools.event_handler import Response

from soko.matching import routing
from soko.matching.deps import matching
from soko.matching.models import GapsAnswer
from soko.shared.http import JSON, Cursor, Limit, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/gaps/summary",
    summary="Coverage gaps, most demanded first",
    description="Public. Crops people asked to route that we have no prices for, with counts, most "
    "requested first, `limit` at a time (default 20) with an opaque `cursor`. Names the crop catalogue "
    "does not know are counted together as `other`.",
    tags=["location"],
    responses={
        200: {"description": "Gaps by crop", "content": {JSON: {"model": GapsAnswer}}},
        **error_responses(400, 422),
    },
)
def gaps(limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(routing.gaps(limit, cursor, matching()))


lambda_handler = entry(app)
