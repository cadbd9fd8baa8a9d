"""POST /orders/{id}/disputes"""

from aws_lambda_powertools.event_handler import Response

from soko.market import order_disputes
from soko.market.deps import market
from soko.market.models import DisputeCreate, Order
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/orders/<id>/disputes",
    summary="Dispute a delivered order (or a paid one that never came)",
    description="The buyer, while the order is delivered and its dispute window (`release_at`) is open, "
    "or while a paid order is confirmed or dispatched with reason `not_delivered`: "
    "the order becomes `disputed` and its escrow stays frozen until an admin resolves the dispute "
    "(OrderDisputed). `photos` are at most 5 keys from POST /orders/{id}/disputes/photos. After the "
    "window it is 409 `DISPUTE_WINDOW_CLOSED`.",
    tags=["orders"],
    responses={
        201: {"description": "Disputed", "content": {JSON: {"model": Order}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def dispute(id: str, request: DisputeCreate) -> Response[str]:
    return json_body(order_disputes.open_dispute(caller(app), id, request, market()), 201)


lambda_handler = entry(app)
