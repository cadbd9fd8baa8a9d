"""POST /admin/disputes/{id}/resolve"""

from aws_lambda_powertools.event_handler import Response

from soko.disputes import logic
from soko.disputes.deps import disputes
from soko.disputes.models import AdminDisputeCase, DisputeResolveRequest
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/admin/disputes/<id>/resolve",
    summary="Resolve a dispute (admins)",
    description="Admins only, once per dispute (a resolved one is a 409). `release` pays the whole total "
    "to the farmer, `refund` returns it to the buyer, `split` returns `buyer_amount_ugx` (1 to total - 1) "
    "to the buyer and releases the rest; an amount that does not fit the outcome is a 422. Publishes "
    "`DisputeResolved` (the order's escrow moves accordingly) and records the action in the admin audit "
    "log, in the same transaction as the resolution.",
    tags=["admin"],
    responses={
        200: {"description": "The resolved dispute", "content": {JSON: {"model": AdminDisputeCase}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def resolve(id: str, request: DisputeResolveRequest) -> Response[str]:
    return json_body(logic.resolve(caller(app), id, request, disputes()))


lambda_handler = entry(app)
