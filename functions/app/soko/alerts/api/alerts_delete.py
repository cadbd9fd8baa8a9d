"""DELETE /alerts/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.alerts import logic
from soko.alerts.deps import alerts
from soko.shared.http import caller, create_app, entry, error_responses

app = create_app()


@app.delete(
    "/alerts/<id>",
    summary="End a price alert",
    description="The alert's owner only (anyone else's, or an unknown id: 404 `ALERT_NOT_FOUND`).",
    tags=["alerts"],
    responses={204: {"description": "Ended"}, **error_responses(401, 404)},
)
def delete_alert(id: str) -> Response[str]:
    logic.remove(caller(app), id, alerts())
    return Response(204, None, "")


lambda_handler = entry(app)
