"""GET /transport/bookings/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.logistics import bookings
from soko.logistics.deps import bookings as store
from soko.logistics.models import Booking
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/transport/bookings/<id>",
    summary="A booking, with its track",
    description="The booking's buyer, farmer and transporter, and admins (anyone else, or an unknown "
    "id: 404 `BOOKING_NOT_FOUND`). `track`: its newest 200 GPS positions, oldest first; `audit`: every "
    "step, who made it and when.",
    tags=["transport"],
    responses={
        200: {"description": "The booking", "content": {JSON: {"model": Booking}}},
        **error_responses(401, 404),
    },
)
def get_booking(id: str) -> Response[str]:
    return json_body(bookings.get(caller(app), id, store()))


lambda_handler = entry(app)
