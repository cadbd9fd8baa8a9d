"""POST /location/route"""

from aws_lambda_powertools.event_handler import Response

from soko.matching import routing
from soko.matching.deps import matching
from soko.matching.models import RouteAnswer, RouteRequest
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/location/route",
    summary="Where to sell a crop",
    description="Public. Tier 1 (the crop has markets with at least 52 prices): the top 3 markets by "
    "forecast price minus transport (per kg per km, Haversine distance). Tier 2 (fewer prices): a "
    "cross-market price at the nearest markets. Tier 3 (a crop we do not cover): a generic suggestion, "
    "and the request is counted as a coverage gap: a catalogue crop under its id (and event "
    "CoverageGap), any other name under `other` (no event). Each option says how old its price is "
    "(`data_through`, `data_age_days` in East Africa Time) and is `stale` past the deployment's "
    "PriceStaleAfterDays (60 days by default); a stale best option says so in `suggestion`.",
    tags=["location"],
    responses={
        200: {"description": "Where to sell", "content": {JSON: {"model": RouteAnswer}}},
        **error_responses(400, 422),
    },
)
def route(request: RouteRequest) -> Response[str]:
    return json_body(routing.route(request, matching()))


lambda_handler = entry(app)
