"""POST /transport/bookings/{id}/cancel"""

from aws_lambda_powertools.event_handler import Response

from soko.logistics import steps
from soko.logistics.deps import steps as step_deps
from soko.logistics.models import Booking
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/transport/bookings/<id>/cancel",
    summary="Cancel a transport booking",
    description="The order's buyer or farmer while the booking is requested or accepted; its transporter "
    "while accepted, before pickup (a requested job is declined instead); an admin while it is active, "
    "with a `reason` (422 `REASON_REQUIRED` without one; written to the audit log). The vehicle's day is "
    "free again and the other parties are told. The body is optional (`{reason?}`, at most 300 "
    "characters). 403 for a party who may not cancel; 409 `BOOKING_ALREADY_PICKED_UP`, "
    "`BOOKING_NOT_ACCEPTED` (a transporter's requested job) or `BOOKING_NOT_ACTIVE` (ended); 409 "
    "`CONCURRENT_UPDATE` when another step won at the same moment.",
    tags=["transport"],
    responses={
        200: {"description": "Cancelled", "content": {JSON: {"model": Booking}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def cancel(id: str, request: steps.BookingCancel | None = None) -> Response[str]:
    reason = request.reason if request is not None else None
    return json_body(steps.cancel(caller(app), id, reason, step_deps()))


lambda_handler = entry(app)
