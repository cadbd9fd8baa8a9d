"""GET /groups/mine"""

from aws_lambda_powertools.event_handler import Response

from soko.groups import logic
from soko.groups.deps.groups import store
from soko.groups.models import GroupPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/groups/mine",
    summary="My bulk-buying groups",
    description="The groups the caller is in (or was in, once they completed, expired or failed), "
    "newest join first, each with `mine`; an opaque cursor (someone else's: 400 `INVALID_CURSOR`). "
    "A group the caller left is not listed.",
    tags=["groups"],
    responses={
        200: {"description": "A page of groups", "content": {JSON: {"model": GroupPage}}},
        **error_responses(400, 401, 422),
    },
)
def my_groups(*, limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(logic.mine(caller(app), limit=limit, cursor=cursor, store=store()))


lambda_handler = entry(app)
