"""POST /transport/bookings"""

from soko.logistics import bookings
from soko.logistics.core_models import BookingCreate
from soko.logistics.deps import booking
from soko.logistics.models import Booking
from soko.shared.http import create_app
from soko.shared.idempotency import IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _book(caller: Caller, request: BookingCreate) -> Booking:
    return bookings.book(caller, request, booking())


book_once = IdempotentCreate("book_transport", "booking", BookingCreate, Booking, _book)
book_once.route(
    app,
    "/transport/bookings",
    name="book_transport",
    summary="Book a quote",
    description="The buyer or the farmer of the quote's order, while the order is confirmed (another "
    "user, or an unknown quote: 404 `QUOTE_NOT_FOUND`; a quote older than 30 minutes: 410 "
    "`QUOTE_EXPIRED`; the order no longer confirmed: 409 `ORDER_NOT_CONFIRMED`). In one transaction "
    "the booking claims the vehicle's pickup day (one job per vehicle per day: taken meanwhile, 409 "
    "`SLOT_TAKEN`) and becomes the order's transport (it has an active booking already: 409 "
    "`ORDER_HAS_TRANSPORT`), if the vehicle is still offered (paused since the quote: 409 "
    "`VEHICLE_UNAVAILABLE`), at the quoted fare. The booking is `requested`: the transporter is told "
    "at once and must accept by `answer_by`, or it expires. With an `Idempotency-Key`, a retry with "
    "the same body returns the first booking.",
    tags=["transport"],
    created="Booked",
    errors=(400, 401, 404, 409, 410, 422),
)
lambda_handler = book_once.lambda_handler(app)
