"""PUT /listings/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.market import listings
from soko.market.deps import market
from soko.market.models import Listing, ListingUpdate
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.put(
    "/listings/<id>",
    summary="Change my listing",
    description="The owner only. Fields left out are kept; quantity 0 takes it out of browsing.",
    tags=["listings"],
    responses={
        200: {"description": "The listing", "content": {JSON: {"model": Listing}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def update(id: str, update: ListingUpdate) -> Response[str]:
    return json_body(listings.update_listing(caller(app), id, update, market()))


lambda_handler = entry(app)
