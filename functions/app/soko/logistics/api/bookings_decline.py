"""POST /transport/bookings/{id}/decline"""

from aws_lambda_powertools.event_handler import Response

from soko.logistics import steps
from soko.logistics.deps import steps as step_deps
from soko.logistics.models import Booking
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/transport/bookings/<id>/decline",
    summary="Decline a transport job",
    description="The booking's transporter turns a requested job down: the vehicle's day is free again and "
    "the buyer and the farmer are told (they book another). 403 for another party; 409 "
    "`BOOKING_NOT_REQUESTED` (or `BOOKING_EXPIRED`, `BOOKING_NOT_ACTIVE`) when it is not "
    "requested any more.",
    tags=["transport"],
    responses={
        200: {"description": "Declined", "content": {JSON: {"model": Booking}}},
        **error_responses(401, 403, 404, 409),
    },
)
def decline(id: str) -> Response[str]:
    return json_body(steps.decline(caller(app), id, step_deps()))


lambda_handler = entry(app)
