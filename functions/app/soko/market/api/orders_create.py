"""POST /orders/"""

from aws_lambda_powertools.event_handler import Response

from soko.market import orders
from soko.market.deps import market
from soko.market.models import Order, OrderCreate
from soko.shared.http import JSON, caller, create_app, error_responses
from soko.shared.idempotency import IdempotencyKey, IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _place(buyer: Caller, request: OrderCreate) -> Order:
    return orders.place_order(buyer, request, market())


place = IdempotentCreate("place_order", "order", OrderCreate, Order, _place)


@app.post(
    "/orders/",
    summary="Order produce",
    description="Buyers (or `both`) only; not your own listing. Stock is reserved in the same transaction "
    "as the order, so a listing is never oversold. With an `Idempotency-Key`, a retry with the same body "
    "returns the first order (no second reservation). At most 20 orders an hour.",
    tags=["orders"],
    responses={
        201: {"description": "Placed", "content": {JSON: {"model": Order}}},
        **error_responses(400, 401, 403, 404, 409, 422, 429),
    },
)
def create(request: OrderCreate, idempotency_key: IdempotencyKey = None) -> Response[str]:
    return place.respond(caller(app), request, idempotency_key)


lambda_handler = place.lambda_handler(app)
