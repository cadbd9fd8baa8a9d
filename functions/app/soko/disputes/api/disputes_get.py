"""GET /disputes/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.disputes import logic
from soko.disputes.deps import disputes
from soko.disputes.models import DisputeCase
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/disputes/<id>",
    summary="My dispute",
    description="The disputed order's buyer and farmer (and admins): its status and, once an admin has "
    "decided, the outcome and the amounts. To anyone else it does not exist (404).",
    tags=["orders"],
    responses={
        200: {"description": "The dispute", "content": {JSON: {"model": DisputeCase}}},
        **error_responses(401, 404),
    },
)
def get(id: str) -> Response[str]:
    return json_body(logic.get_own_case(caller(app), id, disputes()))


lambda_handler = entry(app)
