"""POST /users/me/phone/verify"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import Account, PhoneVerifyRequest
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/users/me/phone/verify",
    summary="Confirm my phone with the SMS code",
    description="The 6-digit code sent when the phone was set (PUT /users/me or registration) makes it the "
    "account's phone (`phone_verified: true`). The code expires in 10 minutes and allows 5 tries (422 "
    "INVALID_PHONE_CODE); 409 NO_PENDING_PHONE when no phone waits for a code, 409 PHONE_TAKEN when another "
    "account verified the number first.",
    tags=["users"],
    responses={
        200: {"description": "The account, its phone verified", "content": {JSON: {"model": Account}}},
        **error_responses(400, 401, 404, 409, 422),
    },
)
def verify_phone(request: PhoneVerifyRequest) -> Response[str]:
    return json_body(logic.verify_phone(caller(app), request, identity()))


lambda_handler = entry(app)
