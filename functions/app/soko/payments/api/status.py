"""GET /payments/{id}/status"""

from aws_lambda_powertools.event_handler import Response

from soko.payments import attempts
from soko.payments.deps import payments
from soko.payments.models import Payment
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/payments/<id>/status",
    summary="A payment's status and history",
    description="The order's buyer and farmer (and admins). `status` is pending, completed, failed or "
    "reversed; `escrow` says where a completed payment's money is (held, released to the farmer, refunded).",
    tags=["payments"],
    responses={
        200: {"description": "The payment", "content": {JSON: {"model": Payment}}},
        **error_responses(401, 404),
    },
)
def status(id: str) -> Response[str]:
    return json_body(attempts.get_status(caller(app), id, payments()))


lambda_handler = entry(app)
