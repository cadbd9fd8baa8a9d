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
    summary="Send a password-reset code by e-mail or SMS",
    description="Give exactly one of `email` or `phone`. By `phone`: the code goes by SMS to the account's "
    "verified phone. By `email`: to the account's e-mail address, in the account's language (English or "
    "Luganda), so an account without a phone can reset its password; and, when the account has a verified "
    "phone, by SMS as well (the same code). SMS go only to a verified phone in a country the deployment "
    "serves. Always 202 with the same body, whether or not an account exists or can receive a code. The "
    "6-digit code expires in 10 minutes and allows 5 tries; a new code replaces the previous one; at most "
    "3 codes an hour per phone and per e-mail address, however many requests arrive at once.",
    tags=["auth"],
    responses={
        202: {"description": "Accepted", "content": {JSON: {"model": Accepted}}},
        **error_responses(400, 422),
    },
)
def forgot(request: ForgotRequest) -> Response[str]:
    logic.forgot(request, identity())
    return json_body(Accepted(message="If an account can receive a code there, it is on its way."), 202)


lambda_handler = entry(app)
