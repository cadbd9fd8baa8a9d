"""GET /coops/mine"""

from aws_lambda_powertools.event_handler import Response

from soko.coops import logic
from soko.coops.deps import coops
from soko.coops.models import MyCoops
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/coops/mine",
    summary="My cooperatives, commitments, allocations and earnings",
    description="The caller's cooperatives (with their role), their commitments (oldest first), their "
    "allocations (one per pooled order they supply) and `earnings_ugx`: the shares paid out to them, "
    "after Soko's commission and the coop's fee.",
    tags=["coops"],
    responses={
        200: {"description": "My cooperatives", "content": {JSON: {"model": MyCoops}}},
        **error_responses(401),
    },
)
def my_coops() -> Response[str]:
    return json_body(logic.mine(caller(app), coops()))


lambda_handler = entry(app)
