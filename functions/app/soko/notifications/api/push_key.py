"""GET /notifications/push/key"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications.deps import public_vapid_key
from soko.notifications.models import PushKey
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/notifications/push/key",
    summary="The Web Push (VAPID) public key",
    description="The `applicationServerKey` a browser subscribes with (`PushManager.subscribe`), base64url.",
    tags=["notifications"],
    responses={
        200: {"description": "The key", "content": {JSON: {"model": PushKey}}},
        **error_responses(401),
    },
)
def push_key() -> Response[str]:
    caller(app)
    return json_body(PushKey(public_key=public_vapid_key()))


lambda_handler = entry(app)
