"""POST /orders/{id}/cancel"""

from aws_lambda_powertools.event_handler import Response

from soko.market import orders
from soko.market.deps import market
from soko.market.models import Order
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/orders/<id>/cancel",
    summary="Cancel my order",
    description="The buyer, while the order is pending; the stock goes back to the listing.",
    tags=["orders"],
    responses={
        200: {"description": "Cancelled", "content": {JSON: {"model": Order}}},
        **error_responses(401, 403, 404, 409),
    },
)
def cancel(id: str) -> Response[str]:
    return json_body(orders.cancel_order(caller(app), id, market()))


lambda_handler = entry(app)
