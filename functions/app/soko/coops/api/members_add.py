"""POST /coops/{id}/members"""

from aws_lambda_powertools.event_handler import Response

from soko.coops import logic
from soko.coops.deps import with_accounts
from soko.coops.models import Member, MemberAdd
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/coops/<id>/members",
    summary="Add a member to a cooperative",
    description="A manager adds a registered farmer, by `phone` (any Ugandan format; their verified "
    "phone) or `user_id` (exactly one of the two: 422 `PHONE_OR_USER_ID`), as a `member` or another "
    "`manager`. 403 `NOT_A_MANAGER` for anyone else; 404 `USER_NOT_FOUND` for nobody with that phone "
    "or id; 403 `NOT_A_FARMER` for a buyer's account; 409 `ALREADY_MEMBER`.",
    tags=["coops"],
    responses={
        201: {"description": "Added", "content": {JSON: {"model": Member}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def add_member(id: str, request: MemberAdd) -> Response[str]:
    return json_body(logic.add_member(caller(app), id, request, with_accounts()), status=201)


lambda_handler = entry(app)
