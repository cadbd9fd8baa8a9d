"""GET /listings/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.market import listings
from soko.market.api._common import viewer
from soko.market.deps import market
from soko.market.models import Listing
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/listings/<id>",
    summary="One listing",
    description="Public. A deleted listing stays readable (its orders refer to it). A signed-in viewer other "
    "than the farmer counts as one view a day (ListingViewed).",
    tags=["listings"],
    responses={
        200: {"description": "The listing", "content": {JSON: {"model": Listing}}},
        **error_responses(404),
    },
)
def get(id: str) -> Response[str]:
    return json_body(listings.get_listing(viewer(app), id, market()))


lambda_handler = entry(app)
