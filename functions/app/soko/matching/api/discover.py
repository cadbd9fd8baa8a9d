"""POST /location/discover"""

from aws_lambda_powertools.event_handler import Response

from soko.matching import routing
from soko.matching.deps import matching
from soko.matching.models import DiscoverAnswer, DiscoverRequest
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/location/discover",
    summary="Farmers selling a crop nearby",
    description="Public. Farmers with active listings of the crop within `radius_km` (by their "
    "listing's district), nearest first, each with those listings cheapest first.",
    tags=["location"],
    responses={
        200: {"description": "Nearest first", "content": {JSON: {"model": DiscoverAnswer}}},
        **error_responses(400, 422),
    },
)
def discover(request: DiscoverRequest) -> Response[str]:
    return json_body(routing.discover(request, matching()))


lambda_handler = entry(app)
