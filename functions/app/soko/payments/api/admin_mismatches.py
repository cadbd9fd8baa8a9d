"""GET /admin/payments/mismatches"""

from aws_lambda_powertools.event_handler import Response

from soko.payments import admin
from soko.payments.deps import payments
from soko.payments.models import MismatchPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/admin/payments/mismatches",
    summary="Payments that disagree with their provider (open cases)",
    description="Admins only. One case per payment, oldest first: `amount_mismatch` (the provider collected "
    "another amount or currency; the payment is `disputed` and nothing was credited), `state_mismatch` "
    "(reconciliation found the provider's final state at odds with ours) and `refund_refused` (the provider "
    "refused a refund we recorded). `seen` counts how often reconciliation saw it. Resolve one with "
    "`POST /admin/payments/{id}/resolve`.",
    tags=["admin"],
    responses={
        200: {"description": "A page of open cases", "content": {JSON: {"model": MismatchPage}}},
        **error_responses(400, 401, 403, 422),
    },
)
def mismatches(limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(admin.mismatches(caller(app), limit, cursor, payments()))


lambda_handler = entry(app)
