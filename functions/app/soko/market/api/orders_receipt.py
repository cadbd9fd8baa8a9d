"""POST /orders/{id}/receipt"""

from aws_lambda_powertools.event_handler import Response

from soko.market import orders
from soko.market.deps import market
from soko.market.models import Order
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/orders/<id>/receipt",
    summary="Confirm I received my order",
    description="The buyer, once the farmer marked the order delivered: the order is completed and the "
    "escrow released to the farmer's payout (OrderCompleted, released_by `receipt`). Any other state is 409.",
    tags=["orders"],
    responses={
        200: {"description": "Completed", "content": {JSON: {"model": Order}}},
        **error_responses(401, 403, 404, 409),
    },
)
def receipt(id: str) -> Response[str]:
    return json_body(orders.confirm_receipt(caller(app), id, market()))


lambda_handler = entry(app)
