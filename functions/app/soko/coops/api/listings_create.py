"""POST /coops/{id}/listings"""

from aws_lambda_powertools.event_handler import Response

from soko.coops import logic
from soko.coops.deps import publishing
from soko.coops.models import PooledListing, PoolListingCreate
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/coops/<id>/listings",
    summary="Publish a pooled listing",
    description="A manager pools the crop's open commitments (up to 45, oldest first) into a marketplace "
    "listing: its stock is their sum, its farmer the manager, its district the coop's. 202: the market "
    "creates listing `listing_id` within a second (`status` `live`: the market was told). 409 "
    "`NO_OPEN_COMMITMENTS` when there are none; 409 `POOL_LIVE` while the crop's pool still has stock "
    "(new commitments join it); 422 `CROP_NOT_IN_COOP`; 403 `NOT_A_MANAGER`. A retry after a 503 "
    "tells the market again (it creates the listing once).",
    tags=["coops"],
    responses={
        202: {"description": "Publishing", "content": {JSON: {"model": PooledListing}}},
        **error_responses(400, 401, 403, 404, 409, 422, 503),
    },
)
def publish_pool(id: str, request: PoolListingCreate) -> Response[str]:
    return json_body(logic.publish_pool(caller(app), id, request, publishing()), status=202)


lambda_handler = entry(app)
