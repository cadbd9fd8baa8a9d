"""POST /notifications/push/subscriptions"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications import devices
from soko.notifications.deps import dal, http_push_origin
from soko.notifications.models import PushSubscriptionIn, PushSubscriptionOut
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/notifications/push/subscriptions",
    summary="Turn on notifications in this browser",
    description="Takes the browser's `PushSubscription` JSON (`endpoint`: an https URL of its push service; "
    "`keys.p256dh`: its P-256 key, `keys.auth`: a 16-byte secret, both base64url). The same endpoint again "
    "replaces it. 422 INVALID_PUSH_SUBSCRIPTION for an endpoint that is not https or keys of the wrong size.",
    tags=["notifications"],
    responses={
        201: {"description": "Subscribed", "content": {JSON: {"model": PushSubscriptionOut}}},
        **error_responses(400, 401, 422),
    },
)
def subscribe(body: PushSubscriptionIn) -> Response[str]:
    answer = devices.subscribe(caller(app), body, dal(), http_origin=http_push_origin())
    return json_body(answer, status=201)


lambda_handler = entry(app)
