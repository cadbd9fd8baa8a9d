"""POST /admin/users/{id}/suspend"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import Account, AccountStatusChange
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/admin/users/<id>/suspend",
    summary="Suspend a user (admin)",
    description="With a required reason, recorded in the admin audit log. Every session of the user ends: "
    "refresh tokens are refused at once, access tokens within seconds, WebSocket connections are closed; "
    "signing in answers 403 ACCOUNT_SUSPENDED. 403 for a caller who is not an admin and for an admin "
    "target; 409 for your own account or one already suspended.",
    tags=["admin"],
    responses={
        200: {"description": "The suspended account", "content": {JSON: {"model": Account}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def suspend(id: str, request: AccountStatusChange) -> Response[str]:
    return json_body(logic.suspend(caller(app), id, request, identity()))


lambda_handler = entry(app)
