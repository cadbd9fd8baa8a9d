"""POST /auth/password/reset"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import ResetRequest
from soko.shared.http import create_app, entry, error_responses

app = create_app()


@app.post(
    "/auth/password/reset",
    summary="Set a new password with the code sent by e-mail or SMS",
    description="Takes the code, the new password and the same email or phone the code was asked for "
    "(a code sent by e-mail is confirmed with the email). A wrong, expired or used code is a 422 "
    "`INVALID_RESET_CODE`; the fifth wrong try burns the code. "
    "Every session of the account is signed out: refresh tokens at once, access tokens within seconds, "
    "WebSocket connections closed.",
    tags=["auth"],
    responses={204: {"description": "Password changed"}, **error_responses(400, 409, 422)},
)
def reset(request: ResetRequest) -> Response[str]:
    logic.reset(request, identity())
    return Response(204, None, "")


lambda_handler = entry(app)
