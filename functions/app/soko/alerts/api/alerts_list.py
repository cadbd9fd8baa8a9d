"""GET /alerts"""

from aws_lambda_powertools.event_handler import Response

from soko.alerts import logic
from soko.alerts.deps import alerts
from soko.alerts.models import AlertPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/alerts",
    summary="My price alerts",
    description="The signed-in user's price alerts, newest first, with an opaque cursor.",
    tags=["alerts"],
    responses={
        200: {"description": "A page of alerts", "content": {JSON: {"model": AlertPage}}},
        **error_responses(400, 401, 422),
    },
)
def list_alerts(*, limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(logic.mine(caller(app), limit, cursor, alerts()))


lambda_handler = entry(app)
