"""GET /admin/users/lookup"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import Account
from soko.shared import phone as phones
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/admin/users/lookup",
    summary="Find a user by email or phone (admin)",
    description="Admins only. Exactly one of `email` or `phone` (a verified phone, E.164 or a local 07... "
    "number): the account with that sign-in key, with its status (to suspend or reinstate it). An exact "
    "match, as at sign-in; 404 when no account has it, 422 for both, neither or a malformed phone.",
    tags=["admin"],
    responses={
        200: {"description": "The account", "content": {JSON: {"model": Account}}},
        **error_responses(400, 401, 403, 404, 422),
    },
)
def lookup(
    email: Annotated[
        str | None, Query(min_length=3, max_length=254, description="the account's email")
    ] = None,
    phone: Annotated[
        str | None,
        Query(min_length=9, max_length=20, pattern=phones.SCHEMA_PATTERN, description="the verified phone"),
    ] = None,
) -> Response[str]:
    return json_body(logic.find_user(caller(app), email, phone, identity()))


lambda_handler = entry(app)
