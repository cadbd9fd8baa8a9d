"""GET /listings/"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.market import listings
from soko.market.deps import market_with_search_events
from soko.market.models import Category, CropId, District, ListingPage, Sort
from soko.shared.http import JSON, Cursor, Limit, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/listings/",
    summary="Browse produce",
    description="Public. Filters combine; `q` searches titles and crops and tolerates typos "
    "(`maze` finds maize). Sorted by `newest` (default), `price` (cheapest first) or `-price`. "
    "Sold-out listings are left out. A filtered search whose first page is empty is reported to "
    "analytics (`SearchCameUpEmpty`: the crop and district only, never the words searched).",
    tags=["listings"],
    responses={
        200: {"description": "A page of listings", "content": {JSON: {"model": ListingPage}}},
        **error_responses(400, 422),
    },
)
def browse(
    *,
    category: Category | None = None,
    crop: Annotated[CropId | None, Query(description="any crop name; normalised")] = None,
    district: Annotated[District | None, Query()] = None,
    min_price: Annotated[int | None, Query(ge=0)] = None,
    max_price: Annotated[int | None, Query(ge=0)] = None,
    farmer_id: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(min_length=2, max_length=60)] = None,
    sort: Sort = "newest",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[str]:
    filters = listings.BrowseFilters(
        category=category,
        crop=crop,
        district=district,
        min_price=min_price,
        max_price=max_price,
        farmer_id=farmer_id,
        q=q,
        sort=sort,
    )
    return json_body(listings.browse(filters, limit, cursor, market_with_search_events()))


lambda_handler = entry(app)
