"""POST /coops/{id}/commitments"""

from aws_lambda_powertools.event_handler import Response

from soko.coops import logic
from soko.coops.deps import publishing
from soko.coops.models import Commitment, CommitmentCreate
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/coops/<id>/commitments",
    summary="Commit a quantity to the cooperative",
    description="A member commits kilograms of one of the coop's crops (422 `CROP_NOT_IN_COOP` for "
    "another). While a pool of the crop is live the commitment joins it at once (`listing_id` set; the "
    "listing's stock grows by it); else it waits, open, for the manager's next pool. 403 "
    "`NOT_A_MEMBER` for anyone else.",
    tags=["coops"],
    responses={
        201: {"description": "Committed", "content": {JSON: {"model": Commitment}}},
        **error_responses(400, 401, 403, 404, 422, 503),
    },
)
def commit(id: str, request: CommitmentCreate) -> Response[str]:
    return json_body(logic.commit(caller(app), id, request, publishing()), status=201)


lambda_handler = entry(app)
