"""POST /orders/{id}/review"""

from aws_lambda_powertools.event_handler import Response

from soko.market import orders
from soko.market.deps import market
from soko.market.models import Review, ReviewCreate
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/orders/<id>/review",
    summary="Review a completed order",
    description="The buyer, once, after completion; the farmer's rating and fulfilment rate change in the "
    "same transaction.",
    tags=["orders"],
    responses={
        201: {"description": "Reviewed", "content": {JSON: {"model": Review}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def review(id: str, request: ReviewCreate) -> Response[str]:
    return json_body(orders.review(caller(app), id, request, market()), 201)


lambda_handler = entry(app)
