"""DELETE /notifications/devices/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications import devices
from soko.notifications.deps import dal, sns_endpoints
from soko.shared.http import caller, create_app, entry, error_responses

app = create_app()


@app.delete(
    "/notifications/devices/<id>",
    summary="Stop push notifications to a phone",
    description="Deletes the device's SNS endpoint. Another user's device does not exist (404).",
    tags=["notifications"],
    responses={204: {"description": "Removed"}, **error_responses(401, 404)},
)
def remove(id: str) -> Response[str]:
    devices.remove_device(caller(app), id, dal(), sns_endpoints())
    return Response(204, None, "")


lambda_handler = entry(app)
