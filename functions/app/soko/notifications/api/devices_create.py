"""POST /notifications/devices"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications import devices
from soko.notifications.deps import dal, sns_endpoints
from soko.notifications.models import DeviceIn, DeviceOut
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/notifications/devices",
    summary="Register this phone for push notifications",
    description="`platform` android (FCM) or ios (APNs) and the device's push `token`: an SNS platform "
    "endpoint is created on the platform's application. The same token again answers the same device. "
    "422 PUSH_PLATFORM_NOT_AVAILABLE when the platform is not set up in this deployment.",
    tags=["notifications"],
    responses={
        201: {"description": "Registered", "content": {JSON: {"model": DeviceOut}}},
        **error_responses(400, 401, 422),
    },
)
def register(body: DeviceIn) -> Response[str]:
    return json_body(devices.register_device(caller(app), body, dal(), sns_endpoints()), status=201)


lambda_handler = entry(app)
