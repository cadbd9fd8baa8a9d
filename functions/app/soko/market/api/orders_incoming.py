"""GET /orders/incoming/"""

from aws_lambda_powertools.event_handler import Response

from soko.market import orders
from soko.market.deps import market
from soko.market.models import OrderPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/orders/incoming/",
    summary="Orders for my produce (as farmer)",
    description="Newest first, cursor-paginated.",
    tags=["orders"],
    responses={
        200: {"description": "A page of orders", "content": {JSON: {"model": OrderPage}}},
        **error_responses(400, 401, 422),
    },
)
def list_incoming(limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(orders.list_orders(caller(app), True, limit, cursor, market()))


lambda_handler = entry(app)
