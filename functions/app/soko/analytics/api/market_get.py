"""GET /analytics/market"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.analytics import market_intel
from soko.analytics.deps.metrics import market as market_deps
from soko.analytics.models import MarketIntelligence
from soko.analytics.params import CropId, District
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/analytics/market",
    summary="A crop's traded volume and median price by week",
    description="Public. The kilograms traded (completed orders) and their median price per kg "
    "(weighted by kg) by ISO week (Uganda time) over the last `weeks` weeks (1-52, default 12, this "
    "week included), for `crop` (a catalogue crop, any of its names) in `district` (any Ugandan "
    "district; omitted: all districts), next to WFP's observation nearest each week in the "
    "district's nearest market. No user's data: counts, kilograms and prices only. 422 for an "
    "unknown crop or district (with suggestions for a crop).",
    tags=["analytics"],
    responses={
        200: {"description": "The crop's weeks", "content": {JSON: {"model": MarketIntelligence}}},
        **error_responses(422),
    },
)
def get_market(
    *,
    crop: Annotated[CropId, Query(description="a crop from GET /catalogue (any of its names)")],
    district: Annotated[District | None, Query(description="a Ugandan district; omitted: all")] = None,
    weeks: Annotated[int, Query(ge=1, le=52, description="how many weeks back, 1-52 (default 12)")] = 12,
) -> Response[str]:
    return json_body(market_intel.market_intelligence(crop, district, weeks, market_deps()))


lambda_handler = entry(app)
