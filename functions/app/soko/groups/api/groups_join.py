"""POST /groups/{id}/join"""

from aws_lambda_powertools.event_handler import Response

from soko.groups import logic
from soko.groups.deps.groups import groups
from soko.groups.models import Group, JoinRequest
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/groups/<id>/join",
    summary="Join a bulk-buying group",
    description="A buyer joins with `quantity_kg`, in ONE transaction with the group's fill, which "
    "never passes the target: more than the room left is 409 `WOULD_OVERFILL` (`details.room_kg`); "
    "already a member: 409 `ALREADY_MEMBER`; the group not open or past its deadline: 409 "
    "`GROUP_CLOSED`; 40 members already: 409 `GROUP_FULL`; not a buyer: 403 `BUYERS_ONLY`; the "
    "listing's farmer: 403 `OWN_LISTING`; an unknown id: 404 `GROUP_NOT_FOUND`. The join that fills "
    "the target exactly completes the group: every member is told what to pay and by when.",
    tags=["groups"],
    responses={
        200: {"description": "The group, with the caller's part", "content": {JSON: {"model": Group}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def join_group(id: str, request: JoinRequest) -> Response[str]:
    return json_body(logic.join(caller(app), id, request, groups()))


lambda_handler = entry(app)
