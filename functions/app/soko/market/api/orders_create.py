"""POST /orders/"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from soko.market import logic
from soko.market.api._common import market
from soko.market.models import Order, OrderCreate
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body
from soko.shared.idempotency import KEY_PATTERN, IdempotentWrite, register_errors
from soko.shared.identity import Caller

app = create_app()
register_errors(app)


def _place(request: dict[str, Any]) -> dict[str, Any]:
    buyer = Caller.model_validate(request["body"]["caller"])
    order = logic.place_order(buyer, OrderCreate.model_validate(request["body"]["order"]), market())
    return order.model_dump(mode="json")


place_once = IdempotentWrite("place_order", _place)


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
def create(
    request: OrderCreate,
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key", pattern=KEY_PATTERN)] = None,
) -> Response[str]:
    buyer = caller(app)
    if idempotency_key is None:
        return json_body(logic.place_order(buyer, request, market()), 201)
    body = {"caller": buyer.model_dump(), "order": request.model_dump(mode="json")}
    result = place_once(caller=buyer.user_id, key=idempotency_key, body=body)
    return Response(201, JSON, Order.model_validate(result).model_dump_json())


lambda_handler = entry(app, on_context=place_once.config.register_lambda_context)
