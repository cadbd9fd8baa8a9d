"""GET /transport/vehicles"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.logistics import vehicles
from soko.logistics.core_models import VehiclePage
from soko.logistics.deps import vehicles as store
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/transport/vehicles",
    summary="My vehicles",
    description="A transporter's own vehicles, newest first, with an opaque cursor. An admin reads a "
    "transporter's with `transporter_id` (required for an admin: 422 `TRANSPORTER_ID_REQUIRED`); a "
    "transporter naming another is 403, and any other role 403.",
    tags=["transport"],
    responses={
        200: {"description": "A page of vehicles", "content": {JSON: {"model": VehiclePage}}},
        **error_responses(400, 401, 403, 422),
    },
)
def list_vehicles(
    *,
    transporter_id: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[str]:
    return json_body(vehicles.mine(caller(app), limit, cursor, store(), transporter_id))


lambda_handler = entry(app)
