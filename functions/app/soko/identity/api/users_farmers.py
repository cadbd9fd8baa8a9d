"""GET /users/farmers"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import UserPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/users/farmers",
    summary="List farmers",
    description="Public profiles, optionally in one district; cursor-paginated.",
    tags=["users"],
    responses={
        200: {"description": "A page of farmers", "content": {JSON: {"model": UserPage}}},
        **error_responses(400, 401, 422),
    },
)
def list_farmers(
    district: Annotated[str | None, Query(max_length=40, description="e.g. Gulu")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[str]:
    caller(app)
    return json_body(logic.list_users("farmer", district, limit, cursor, identity()))


lambda_handler = entry(app)
