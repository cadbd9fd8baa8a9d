"""GET /admin/training"""

from aws_lambda_powertools.event_handler import Response

from soko.ml import training_status
from soko.ml.deps import training_runs
from soko.ml.models import TrainingRun
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/admin/training",
    summary="The price models' last training run",
    description="Admins only. The latest execution of the weekly training state machine: its status "
    "(NONE before the first run), when it started and stopped, how many (market, crop) pairs it "
    "listed, trained and failed (a failed pair keeps serving its previous forecast), and the run's "
    "own error if it failed.",
    tags=["ml"],
    responses={
        200: {"description": "The last run", "content": {JSON: {"model": TrainingRun}}},
        **error_responses(401, 403),
    },
)
def last_training() -> Response[str]:
    return json_body(training_status.last_run(caller(app), training_runs()))


lambda_handler = entry(app)
