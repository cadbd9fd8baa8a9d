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
    description="The order's buyer and farmer (and admins). `status` is pending, completed, failed, "
    "reversed, expired (not completed in time: the buyer may pay again; money that still arrives is credited "
    "or refunded if another attempt paid the order) or disputed (the provider collected another amount: an "
    "admin resolves it); `escrow` says where a completed payment's money is (held; frozen while the order is "
    "disputed; released to the farmer; refunded; split by a dispute's resolution).",
    tags=["payments"],
    responses={
        200: {"description": "The payment", "content": {JSON: {"model": Payment}}},
        **error_responses(401, 404),
    },
)
def status(id: str) -> Response[str]:
    return json_body(attempts.get_status(caller(app), id, payments()))


lambda_handler = entry(app)
