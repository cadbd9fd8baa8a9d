"""GET /groups"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.groups import logic
from soko.groups.deps.groups import store
from soko.groups.models import GroupPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/groups",
    summary="A listing's open groups",
    description="The open groups of `listing_id` before their deadline, soonest deadline first, with "
    "an opaque cursor (valid only for the listing it came with: else 400 `INVALID_CURSOR`).",
    tags=["groups"],
    responses={
        200: {"description": "A page of groups", "content": {JSON: {"model": GroupPage}}},
        **error_responses(400, 401, 422),
    },
)
def list_groups(
    *,
    listing_id: Annotated[str, Query(min_length=1, max_length=40)],
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[str]:
    caller(app)
    return json_body(logic.listing_page(listing_id, limit=limit, cursor=cursor, store=store()))


lambda_handler = entry(app)
