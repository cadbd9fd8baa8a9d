"""POST /auth/password/forgot"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import ForgotRequest
from soko.shared.http import JSON, create_app, entry, error_responses, json_body
from soko.shared.models import Accepted

app = create_app()


@app.post(
    "/auth/password/forgot",
    summary="Send a password-reset code by SMS",
    description="Always 202, whether or not an account exists. The code goes to the account's verified "
    "phone only, in a country the deployment serves. The 6-digit code expires in 10 minutes and allows 5 "
    "tries; at most 3 codes an hour per phone, however many requests arrive at once.",
    tags=["auth"],
    responses={
        202: {"description": "Accepted", "content": {JSON: {"model": Accepted}}},
        **error_responses(400, 422),
    },
)
def forgot(request: ForgotRequest) -> Response[str]:
    logic.forgot(request, identity())
    return json_body(Accepted(message="If the account exists and has a phone, a code is on its way."), 202)


lambda_handler = entry(app)
