"""GET /admin/disputes/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.disputes import logic
from soko.disputes.deps import disputes
from soko.disputes.models import AdminDisputeCase
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/admin/disputes/<id>",
    summary="One dispute (admins)",
    description="Admins only. The buyer's reason, details and photos (presigned GET URLs valid for five "
    "minutes), and the resolution once there is one.",
    tags=["admin"],
    responses={
        200: {"description": "The dispute", "content": {JSON: {"model": AdminDisputeCase}}},
        **error_responses(401, 403, 404),
    },
)
def get(id: str) -> Response[str]:
    return json_body(logic.get_case(caller(app), id, disputes()))


lambda_handler = entry(app)
