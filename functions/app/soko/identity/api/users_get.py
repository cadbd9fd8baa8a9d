"""GET /users/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import PublicProfile
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/users/<id>",
    summary="A user's public profile",
    description="Another user sees public fields only (never email or phone); your own id returns your "
    "account.",
    tags=["users"],
    responses={
        200: {"description": "The profile", "content": {JSON: {"model": PublicProfile}}},
        **error_responses(401, 404),
    },
)
def get_user(id: str) -> Response[str]:
    return json_body(logic.get_user(caller(app), id, identity()))


lambda_handler = entry(app)
