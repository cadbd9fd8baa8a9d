"""POST /admin/users/{id}/reinstate"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import Account, AccountStatusChange
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/admin/users/<id>/reinstate",
    summary="Reinstate a suspended user (admin)",
    description="With a required reason, recorded in the admin audit log. The user signs in again (the "
    "sessions ended by the suspension stay ended). 403 for a caller who is not an admin and for an admin "
    "target; 409 for your own account or one that is not suspended.",
    tags=["admin"],
    responses={
        200: {"description": "The reinstated account", "content": {JSON: {"model": Account}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def reinstate(id: str, request: AccountStatusChange) -> Response[str]:
    return json_body(logic.reinstate(caller(app), id, request, identity()))


lambda_handler = entry(app)
