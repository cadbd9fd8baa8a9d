"""POST /payments/initiate"""

from soko.payments import attempts
from soko.payments.deps import payments
from soko.payments.models import InitiateRequest, Payment
from soko.shared.http import create_app
from soko.shared.idempotency import IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _initiate(buyer: Caller, request: InitiateRequest) -> Payment:
    return attempts.initiate(buyer, request, payments(timers=True))


initiate_once = IdempotentCreate("initiate_payment", "payment", InitiateRequest, Payment, _initiate)
initiate_once.route(
    app,
    "/payments/initiate",
    name="initiate",
    summary="Pay for a confirmed order with mobile money",
    description="The order's buyer only, once the farmer confirmed it. Starts one PesaPal attempt with a "
    "fresh merchant reference and answers with the `redirect_url` where the buyer confirms. An order has at "
    "most one live attempt: another initiate is 409 `PAYMENT_IN_PROGRESS` until it failed (or "
    "`ORDER_ALREADY_PAID`). With an `Idempotency-Key`, a retry with the same body returns the first attempt. "
    "The amount is the order's total plus the fare of the order's active transport booking, if it has "
    "one (`fare_ugx`, `transport_booking_id`): the transporter is paid from escrow when the order "
    "completes and the transport delivered; an unused fare is refunded.",
    tags=["payments"],
    created="Attempt started (status pending)",
    errors=(400, 401, 403, 404, 409, 422, 503),
)
lambda_handler = initiate_once.lambda_handler(app)
