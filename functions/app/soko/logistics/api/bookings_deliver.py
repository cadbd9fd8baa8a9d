"""POST /transport/bookings/{id}/deliver"""

from aws_lambda_powertools.event_handler import Response

from soko.logistics import steps
from soko.logistics.deps import steps as step_deps
from soko.logistics.models import Booking
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/transport/bookings/<id>/deliver",
    summary="Hand the produce over with the buyer's delivery PIN",
    description="The booking's transporter, from `picked_up`, enters the 6-digit PIN the buyer received by "
    "SMS when they paid. The market's PIN rule decides: a right PIN completes the order and releases the "
    "escrow (released_by `pin`, as when the farmer enters it; a paid order may still be confirmed or "
    "dispatched), then the booking is `delivered` (`TransportDelivered` by `pin`) and the buyer and "
    "farmer are told. A wrong PIN is 403 `WRONG_DELIVERY_PIN` with `details.tries_left`; after 5 tries "
    "the PIN is locked (409 `DELIVERY_PIN_LOCKED`); 409 `NO_DELIVERY_PIN` for an unpaid order, "
    "`ILLEGAL_TRANSITION` when the order cannot be completed, `BOOKING_NOT_PICKED_UP` when the booking "
    "is not picked up.",
    tags=["transport"],
    responses={
        200: {"description": "Delivered", "content": {JSON: {"model": Booking}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def deliver(id: str, request: steps.BookingDeliver) -> Response[str]:
    return json_body(steps.deliver(caller(app), id, request.pin, step_deps(handover=True)))


lambda_handler = entry(app)
