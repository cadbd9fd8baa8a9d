"""POST /auth/logout"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import RefreshRequest
from soko.shared.http import create_app, entry, error_responses

app = create_app()


@app.post(
    "/auth/logout",
    summary="Sign out",
    description="Ends the session: its refresh tokens at once, its access tokens within seconds (the "
    "authorizer checks the session), its WebSocket connections are closed. Always 204, also for a token "
    "that is already revoked.",
    tags=["auth"],
    responses={204: {"description": "Signed out"}, **error_responses(400, 422)},
)
def logout(request: RefreshRequest) -> Response[str]:
    logic.logout(request, identity())
    return Response(204, None, "")


lambda_handler = entry(app)
