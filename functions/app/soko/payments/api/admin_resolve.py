"""POST /admin/payments/{id}/resolve"""

from aws_lambda_powertools.event_handler import Response

from soko.payments import admin
from soko.payments.deps import payments
from soko.payments.models import Resolved, ResolveRequest
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/admin/payments/<id>/resolve",
    summary="Resolve a payment mismatch",
    description="Admins only, with a `reason` (recorded in the audit log, `AdminActionTaken`, in the same "
    "transaction as the change). `accept` takes the provider's word: an amount mismatch is credited to "
    "escrow for the amount collected (UGX only) and the payment completes; a payment the provider says "
    "failed or reversed gives its held escrow back to the buyer; a refused refund is recorded as settled "
    "outside Soko. "
    "`refund` refunds through the provider: what it collected, or the held escrow; a refused refund is "
    "submitted again. 404 for an unknown payment, 409 `NO_OPEN_MISMATCH` when it has no open case, 409 "
    "`MISMATCH_NOT_RESOLVABLE` when the action does not fit what the provider or the escrow says now, 503 "
    "when the provider does not answer.",
    tags=["admin"],
    responses={
        200: {"description": "Resolved", "content": {JSON: {"model": Resolved}}},
        **error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    },
)
def resolve(id: str, request: ResolveRequest) -> Response[str]:
    return json_body(admin.resolve(caller(app), id, request, payments()))


lambda_handler = entry(app, max_body_bytes=4096)
