"""POST /payments/initiate"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from soko.payments import logic
from soko.payments.deps import payments
from soko.payments.models import InitiateRequest, Payment
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body
from soko.shared.idempotency import KEY_PATTERN, IdempotentWrite, register_errors
from soko.shared.identity import Caller

app = create_app()
register_errors(app)


def _initiate(request: dict[str, Any]) -> dict[str, Any]:
    buyer = Caller.model_validate(request["body"]["caller"])
    payment = logic.initiate(buyer, InitiateRequest.model_validate(request["body"]["payment"]), payments())
    return payment.model_dump(mode="json")


initiate_once = IdempotentWrite("initiate_payment", _initiate)


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
def initiate(
    request: InitiateRequest,
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key", pattern=KEY_PATTERN)] = None,
) -> Response[str]:
    buyer = caller(app)
    if idempotency_key is None:
        return json_body(logic.initiate(buyer, request, payments()), 201)
    body = {"caller": buyer.model_dump(), "payment": request.model_dump(mode="json")}
    result = initiate_once(caller=buyer.user_id, key=idempotency_key, body=body)
    return Response(201, JSON, Payment.model_validate(result).model_dump_json())


lambda_handler = entry(app, on_context=initiate_once.config.register_lambda_context)
