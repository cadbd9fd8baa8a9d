"""GET /auth/me"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import Account
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/auth/me",
    summary="The signed-in account",
    tags=["auth"],
    responses={
        200: {"description": "The account", "content": {JSON: {"model": Account}}},
        **error_responses(401, 404),
    },
)
def me() -> Response[str]:
    return json_body(logic.me(caller(app), identity()))


lambda_handler = entry(app)
