"""POST /payments/initiate"""

from aws_lambda_powertools.event_handler import Response

from soko.payments import attempts
from soko.payments.deps import payments
from soko.payments.models import InitiateRequest, Payment
from soko.shared.http import JSON, caller, create_app, error_responses
from soko.shared.idempotency import IdempotencyKey, IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _initiate(buyer: Caller, request: InitiateRequest) -> Payment:
    return attempts.initiate(buyer, request, payments())


initiate_once = IdempotentCreate("initiate_payment", "payment", InitiateRequest, Payment, _initiate)


@app.post(
    "/payments/initiate",
    summary="Pay for a confirmed order with mobile money",
    description="The order's buyer only, once the farmer confirmed it. Starts one PesaPal attempt with a "
    "fresh merchant reference and answers with the `redirect_url` where the buyer confirms. An order has at "
    "most one live attempt: another initiate is 409 `PAYMENT_IN_PROGRESS` until it failed (or "
    "`ORDER_ALREADY_PAID`). With an `Idempotency-Key`, a retry with the same body returns the first attempt.",
    tags=["payments"],
    responses={
        201: {"description": "Attempt started (status pending)", "content": {JSON: {"model": Payment}}},
        **error_responses(400, 401, 403, 404, 409, 422, 503),
    },
)
def initiate(request: InitiateRequest, idempotency_key: IdempotencyKey = None) -> Response[str]:
    return initiate_once.respond(caller(app), request, idempotency_key)


lambda_handler = initiate_once.lambda_handler(app)
