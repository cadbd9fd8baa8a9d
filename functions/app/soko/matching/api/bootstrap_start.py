"""POST /ingest/bootstrap"""

from aws_lambda_powertools.event_handler import Response

from soko.matching import rebuild
from soko.matching.deps import bootstrap_runs
from soko.matching.models import BootstrapStarted
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/ingest/bootstrap",
    summary="Rebuild the feature store",
    description="Admins only. Starts the bootstrap state machine: page through every user, rebuild "
    "farmer and buyer features from the users and market tables, then reset recommendation caches.",
    tags=["matching"],
    responses={
        202: {"description": "Started", "content": {JSON: {"model": BootstrapStarted}}},
        **error_responses(401, 403),
    },
)
def start() -> Response[str]:
    runs = bootstrap_runs()
    return json_body(rebuild.start_bootstrap(caller(app), runs), status=202)


lambda_handler = entry(app)
