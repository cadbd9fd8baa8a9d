"""POST /orders/"""

from soko.market import orders
from soko.market.deps import market
from soko.market.models import Order, OrderCreate
from soko.shared.http import create_app
from soko.shared.idempotency import IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _place(buyer: Caller, request: OrderCreate) -> Order:
    return orders.place_order(buyer, request, market())


place = IdempotentCreate("place_order", "order", OrderCreate, Order, _place)
place.route(
    app,
    "/orders/",
    name="create",
    summary="Order produce",
    description="Buyers (or `both`) only; not your own listing. Stock is reserved in the same transaction "
    "as the order, so a listing is never oversold. With an `Idempotency-Key`, a retry with the same body "
    "returns the first order (no second reservation). At most 20 orders an hour.",
    tags=["orders"],
    created="Placed",
    errors=(400, 401, 403, 404, 409, 422, 429),
)
lambda_handler = place.lambda_handler(app)
