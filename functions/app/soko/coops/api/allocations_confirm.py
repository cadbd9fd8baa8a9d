"""POST /coops/{id}/allocations/{order_id}/confirm"""

from aws_lambda_powertools.event_handler import Response

from soko.coops import logic
from soko.coops.deps import coops
from soko.coops.models import Allocation
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/coops/<id>/allocations/<order_id>/confirm",
    summary="Confirm my allocation of a pooled order",
    description="The member acknowledges their part of the order (they will deliver it to the "
    "manager): `confirmed_by_member` becomes true; repeating it changes nothing. 404 "
    "`ALLOCATION_NOT_FOUND` when they have no part in the order; 409 `ALLOCATION_RELEASED` when the "
    "order ended unpaid; 403 `NOT_A_MEMBER`.",
    tags=["coops"],
    responses={
        200: {"description": "Confirmed", "content": {JSON: {"model": Allocation}}},
        **error_responses(401, 403, 404, 409),
    },
)
def confirm(id: str, order_id: str) -> Response[str]:
    return json_body(logic.confirm_allocation(caller(app), id, order_id, coops()))


lambda_handler = entry(app)
