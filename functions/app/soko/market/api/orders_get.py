"""GET /orders/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.market import orders
from soko.market.deps import market_with_money
from soko.market.models import Order
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/orders/<id>",
    summary="One order, with its audit trail and its money trail",
    description="Its buyer, its farmer and admins only; to anyone else it does not exist (404).",
    tags=["orders"],
    responses={
        200: {"description": "The order", "content": {JSON: {"model": Order}}},
        **error_responses(401, 404),
    },
)
def get(id: str) -> Response[str]:
    return json_body(orders.get_order(caller(app), id, market_with_money()))


lambda_handler = entry(app)
