"""POST /transport/bookings/{id}/accept"""

from aws_lambda_powertools.event_handler import Response

from soko.logistics import steps
from soko.logistics.deps import steps as step_deps
from soko.logistics.models import Booking
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/transport/bookings/<id>/accept",
    summary="Accept a transport job",
    description="The booking's transporter takes a requested job before its `answer_by` (then it expires: "
    "409 `BOOKING_EXPIRED`). The buyer and the farmer are told. 403 for another party; 409 "
    "`BOOKING_NOT_REQUESTED` (or `BOOKING_EXPIRED`, `BOOKING_NOT_ACTIVE`) when the booking is "
    "not requested any more; 409 `CONCURRENT_UPDATE` when another step won at the same moment.",
    tags=["transport"],
    responses={
        200: {"description": "Accepted", "content": {JSON: {"model": Booking}}},
        **error_responses(401, 403, 404, 409),
    },
)
def accept(id: str) -> Response[str]:
    return json_body(steps.accept(caller(app), id, step_deps()))


lambda_handler = entry(app)
