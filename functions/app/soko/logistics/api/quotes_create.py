"""POST /transport/quotes"""

from aws_lambda_powertools.event_handler import Response

from soko.logistics import quotes
from soko.logistics.core_models import QuoteAnswer, QuoteRequest
from soko.logistics.deps import quotes as deps
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/transport/quotes",
    summary="Quotes to carry an order",
    description="The buyer or the farmer of a confirmed order (anyone else, or an unknown order: 404 "
    "`ORDER_NOT_FOUND`; an order not confirmed: 409 `ORDER_NOT_CONFIRMED`). Pickup: the order's "
    "district (the farmer's). Drop-off: `dropoff` (a point in Uganda, with an optional address for the "
    "driver), else the order's delivery district, else the buyer's district (none of them: 422 "
    "`DROPOFF_REQUIRED`). `pickup_day`: today to 30 days ahead in East Africa Time, default tomorrow "
    "(else 422 `INVALID_PICKUP_DAY`). Offered: active vehicles serving both districts, carrying the "
    "order's weight, working on that weekday and not yet booked that day. Road km are the straight "
    "line x 1.3; the fare is the vehicle's price per km x road km, plus UGX 150 per tonne-km above the "
    "first tonne, at least its minimum fare, in whole UGX. At most 20, cheapest first, then nearest "
    "(the vehicle's base district to the pickup). Each quote is kept 30 minutes: booking it pays "
    "exactly its fare. No vehicle: an empty list.",
    tags=["transport"],
    responses={
        200: {"description": "The quotes", "content": {JSON: {"model": QuoteAnswer}}},
        **error_responses(400, 401, 404, 409, 422),
    },
)
def create_quotes(request: QuoteRequest) -> Response[str]:
    return json_body(quotes.quote(caller(app), request, deps()))


lambda_handler = entry(app)
