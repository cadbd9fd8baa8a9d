"""GET /ingest/bootstrap/status"""

from aws_lambda_powertools.event_handler import Response

from soko.matching import rebuild
from soko.matching.deps import bootstrap_runs
from soko.matching.models import BootstrapStatus
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/ingest/bootstrap/status",
    summary="The latest bootstrap run",
    description="Admins only. Status of the most recent bootstrap execution (NONE before the first).",
    tags=["matching"],
    responses={
        200: {"description": "Status", "content": {JSON: {"model": BootstrapStatus}}},
        **error_responses(401, 403),
    },
)
def status() -> Response[str]:
    runs = bootstrap_runs()
    return json_body(rebuild.bootstrap_status(caller(app), runs))


lambda_handler = entry(app)
