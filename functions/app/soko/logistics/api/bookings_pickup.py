"""POST /transport/bookings/{id}/pickup"""

from aws_lambda_powertools.event_handler import Response

from soko.logistics import steps
from soko.logistics.deps import steps as step_deps
from soko.logistics.models import Booking
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/transport/bookings/<id>/pickup",
    summary="Mark a job picked up",
    description="The booking's transporter has the produce on board (from `accepted`): the buyer is told, "
    "and a paid, confirmed order becomes dispatched. 403 for another party; 409 "
    "`BOOKING_NOT_ACCEPTED` (or `BOOKING_EXPIRED`, `BOOKING_NOT_ACTIVE`) otherwise.",
    tags=["transport"],
    responses={
        200: {"description": "Picked up", "content": {JSON: {"model": Booking}}},
        **error_responses(401, 403, 404, 409),
    },
)
def pickup(id: str) -> Response[str]:
    return json_body(steps.pickup(caller(app), id, step_deps()))


lambda_handler = entry(app)
