"""POST /orders/{id}/delivery-pin"""

from aws_lambda_powertools.event_handler import Response

from soko.market import delivery_pin
from soko.market.deps import market
from soko.market.models import DeliveryPin, Order
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


def _verify(stored_hash: str, pin: str) -> bool:
    from soko.identity.public import verify_secret  # noqa: PLC0415

    return verify_secret(stored_hash, pin)


@app.post(
    "/orders/<id>/delivery-pin",
    summary="Enter the buyer's delivery PIN",
    description="The farmer, when the order is dispatched or delivered, enters the 6-digit PIN the buyer "
    "received by SMS when they paid: the order is completed and the escrow released (released_by `pin`). "
    "A wrong PIN is 403 `WRONG_DELIVERY_PIN` with the tries left; after 5 tries the PIN is locked "
    "(409 `DELIVERY_PIN_LOCKED`) and the buyer's receipt or the end of the dispute window remain.",
    tags=["orders"],
    responses={
        200: {"description": "Completed", "content": {JSON: {"model": Order}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def enter(id: str, request: DeliveryPin) -> Response[str]:
    return json_body(delivery_pin.enter(caller(app), id, request, market(), verify=_verify))


lambda_handler = entry(app)
