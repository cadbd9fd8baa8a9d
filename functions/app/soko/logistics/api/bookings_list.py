"""GET /transport/bookings"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.logistics import bookings
from soko.logistics.core_models import BookingPage
from soko.logistics.deps import bookings as store
from soko.logistics.models import BookingStatus
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/transport/bookings",
    summary="My bookings",
    description="Newest first, with an opaque cursor: a transporter's jobs, a buyer's or farmer's "
    "bookings. `status` keeps one status; `order_id` lists that order's bookings the caller is a "
    "party of (an admin must give `order_id` and sees all of the order's: else 422 "
    "`ORDER_ID_REQUIRED`). A cursor is valid only with the filters it came with.",
    tags=["transport"],
    responses={
        200: {"description": "A page of bookings", "content": {JSON: {"model": BookingPage}}},
        **error_responses(400, 401, 422),
    },
)
def list_bookings(
    *,
    status: Annotated[BookingStatus | None, Query()] = None,
    order_id: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[str]:
    page = bookings.mine(
        caller(app), status=status, order_id=order_id, limit=limit, cursor=cursor, store=store()
    )
    return json_body(page)


lambda_handler = entry(app)
