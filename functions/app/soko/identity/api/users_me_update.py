"""PUT /users/me"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import Account, ProfileUpdate
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.put(
    "/users/me",
    summary="Update my profile",
    description="Fields left out are kept. Farmers set specialties, buyers interests. A new `phone` is "
    "not the account's phone yet: it is kept as `pending_phone` and a 6-digit code is sent to it by SMS, "
    "which POST /users/me/phone/verify takes (setting it again sends a new code). 422 "
    "PHONE_COUNTRY_NOT_SERVED for a country the deployment does not serve, 409 PHONE_TAKEN for a number "
    "another account verified, 429 SMS_LIMIT_REACHED after 3 codes to that number in an hour. null "
    "removes the phone.",
    tags=["users"],
    responses={
        200: {"description": "The updated account", "content": {JSON: {"model": Account}}},
        **error_responses(400, 401, 404, 409, 422, 429),
    },
)
def update_me(update: ProfileUpdate) -> Response[str]:
    return json_body(logic.update_me(caller(app), update, identity()))


lambda_handler = entry(app)
