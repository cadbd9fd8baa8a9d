"""POST /listings/"""

from aws_lambda_powertools.event_handler import Response

from soko.market import listings
from soko.market.deps import market
from soko.market.models import Listing, ListingCreate
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/listings/",
    summary="List produce for sale",
    description="Farmers (or `both`) only. `crop` may be any name, synonym or Luganda name; it is stored as "
    "the catalogue id. Price is integer UGX per kg; quantity in kg with at most 3 decimals.",
    tags=["listings"],
    responses={
        201: {"description": "Listed", "content": {JSON: {"model": Listing}}},
        **error_responses(400, 401, 403, 422),
    },
)
def create(request: ListingCreate) -> Response[str]:
    return json_body(listings.create_listing(caller(app), request, market()), 201)


lambda_handler = entry(app)
