"""DELETE /notifications/push/subscriptions/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications import devices
from soko.notifications.deps import dal
from soko.shared.http import caller, create_app, entry, error_responses

app = create_app()


@app.delete(
    "/notifications/push/subscriptions/<id>",
    summary="Turn off notifications in a browser",
    description="Idempotent: 204 also when there is no such subscription (or it is someone else's).",
    tags=["notifications"],
    responses={204: {"description": "Removed"}, **error_responses(401)},
)
def unsubscribe(id: str) -> Response[str]:
    devices.unsubscribe(caller(app), id, dal())
    return Response(204, None, "")


lambda_handler = entry(app)
