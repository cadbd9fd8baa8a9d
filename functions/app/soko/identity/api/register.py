"""POST /auth/register"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import Account, RegisterRequest
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/auth/register",
    summary="Open an account",
    description="Email is unique (case-insensitive). A phone waits for its SMS code (POST "
    "/users/me/phone/verify) before it counts; a number another account verified is a 409, one of a "
    "country the deployment does not serve a 422. `admin` cannot be self-registered.",
    tags=["auth"],
    responses={
        201: {"description": "Created", "content": {JSON: {"model": Account}}},
        **error_responses(400, 409, 422),
    },
)
def register(request: RegisterRequest) -> Response[str]:
    return json_body(logic.register(request, identity()), 201)


lambda_handler = entry(app)
