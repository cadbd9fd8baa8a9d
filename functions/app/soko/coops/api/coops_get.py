"""GET /coops/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.coops import logic
from soko.coops.deps import coops
from soko.coops.models import CoopDetail
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/coops/<id>",
    summary="A cooperative",
    description="Its members and admins only (403 `NOT_A_MEMBER` for anyone else; 404 `COOP_NOT_FOUND`). "
    "Managers and admins see every member, commitment and allocation; a member sees the coop, its "
    "pools and their own commitments and allocations.",
    tags=["coops"],
    responses={
        200: {"description": "The cooperative", "content": {JSON: {"model": CoopDetail}}},
        **error_responses(401, 403, 404),
    },
)
def get_coop(id: str) -> Response[str]:
    return json_body(logic.get_coop(caller(app), id, coops()))


lambda_handler = entry(app)
