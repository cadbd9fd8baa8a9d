"""POST /orders/{id}/delivery-pin/resend"""

from aws_lambda_powertools.event_handler import Response

from soko.market import delivery_pin
from soko.market.delivery_pin import MAX_RESENDS, DeliveryPinResent
from soko.market.deps import buyer_contact as _contact
from soko.market.deps import hash_pin as _hash
from soko.market.deps import market, send_sms
from soko.shared.errors import DependencyUnavailable
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


def _send(to: str, message: str) -> object:
    from soko.providers.http import ProviderError  # noqa: PLC0415

    try:
        return send_sms(to, message)
    except ProviderError as err:
        raise DependencyUnavailable("The SMS could not be sent; try again in a minute.") from err


@app.post(
    "/orders/<id>/delivery-pin/resend",
    summary="Send the buyer a new delivery PIN",
    description="The buyer of a paid order that is not yet completed gets a new 6-digit delivery PIN by "
    "SMS to their verified phone; it replaces the old one (the wrong tries already made stay counted). "
    f"At most {MAX_RESENDS} resends per order (409 `DELIVERY_PIN_RESENDS_USED_UP`); none once the PIN is "
    "locked (409 `DELIVERY_PIN_LOCKED`) or when the order is not paid and on its way (409 "
    "`DELIVERY_PIN_NOT_RESENDABLE`). The farmer is refused (403); anyone else learns nothing (404).",
    tags=["orders"],
    responses={
        200: {"description": "A new PIN was texted", "content": {JSON: {"model": DeliveryPinResent}}},
        **error_responses(401, 403, 404, 409, 503),
    },
)
def resend(id: str) -> Response[str]:
    return json_body(
        delivery_pin.resend(caller(app), id, market(), hash_pin=_hash, contact=_contact, send=_send)
    )


lambda_handler = entry(app)
