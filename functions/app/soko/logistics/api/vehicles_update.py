"""PATCH /transport/vehicles/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.logistics import vehicles
from soko.logistics.core_models import Vehicle, VehicleUpdate
from soko.logistics.deps import vehicles as store
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.patch(
    "/transport/vehicles/<id>",
    summary="Change my vehicle",
    description="Its transporter only (another's vehicle, or an unknown id: 404 `VEHICLE_NOT_FOUND`; "
    "another role: 403). Any of `days`, `districts`, `price_per_km_ugx`, `minimum_fare_ugx`, `active` "
    "(false: offered in no quote); a field left out is kept, null is refused. Bookings already made "
    "keep their fare. A change racing another is 409 `CONCURRENT_UPDATE`.",
    tags=["transport"],
    responses={
        200: {"description": "The vehicle", "content": {JSON: {"model": Vehicle}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def update_vehicle(id: str, update: VehicleUpdate) -> Response[str]:
    return json_body(vehicles.update(caller(app), id, update, store()))


lambda_handler = entry(app)
