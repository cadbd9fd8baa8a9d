"""POST /groups/{id}/leave"""

from aws_lambda_powertools.event_handler import Response

from soko.groups import logic
from soko.groups.deps.groups import groups
from soko.groups.models import Group
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/groups/<id>/leave",
    summary="Leave a bulk-buying group",
    description="A member leaves an open group before its deadline: their quantity leaves the fill "
    "in one transaction (not a member: 409 `NOT_A_MEMBER`; the group completed, expired, failed or "
    "past its deadline: 409 `GROUP_CLOSED`; an unknown id: 404 `GROUP_NOT_FOUND`).",
    tags=["groups"],
    responses={
        200: {"description": "The group, without the caller", "content": {JSON: {"model": Group}}},
        **error_responses(401, 404, 409),
    },
)
def leave_group(id: str) -> Response[str]:
    return json_body(logic.leave(caller(app), id, groups()))


lambda_handler = entry(app)
