"""GET /groups/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.groups import logic
from soko.groups.deps.groups import store
from soko.groups.models import Group
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/groups/<id>",
    summary="A bulk-buying group",
    description="Anyone signed in (an unknown id: 404 `GROUP_NOT_FOUND`): its fill, the tier it "
    "reaches now and the next one, the price, the deadline, the member count and, for a member, "
    "`mine` (their quantity, their status and, once the group completed, their order).",
    tags=["groups"],
    responses={
        200: {"description": "The group", "content": {JSON: {"model": Group}}},
        **error_responses(401, 404),
    },
)
def get_group(id: str) -> Response[str]:
    return json_body(logic.get(caller(app), id, store()))


lambda_handler = entry(app)
