"""PATCH /orders/{id}/status"""

from aws_lambda_powertools.event_handler import Response

from soko.market import orders
from soko.market.deps import market
from soko.market.models import Order, StatusChange
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.patch(
    "/orders/<id>/status",
    summary="Confirm, reject, dispatch or deliver an order",
    description="The farmer: pending -> confirmed | rejected; confirmed -> dispatched | delivered | "
    "rejected; dispatched -> delivered | rejected (cannot deliver after all: a paid order is refunded). "
    "Only a paid order is dispatched or delivered (409 `ORDER_NOT_PAID`); delivered starts the buyer's "
    "dispute window (`release_at`). Nobody completes an order here (409): the buyer's receipt, the "
    "delivery PIN or the window's end do. Rejecting returns the stock; two racing changes cannot both win.",
    tags=["orders"],
    responses={
        200: {"description": "Changed", "content": {JSON: {"model": Order}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def change(id: str, change: StatusChange) -> Response[str]:
    return json_body(orders.change_status(caller(app), id, change, market()))


lambda_handler = entry(app)
