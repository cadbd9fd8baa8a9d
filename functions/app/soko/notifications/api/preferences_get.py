"""GET /notifications/preferences"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications import logic
from soko.notifications.deps import notifications
from soko.notifications.models import Preferences
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/notifications/preferences",
    summary="My notification channels and quiet hours",
    description="Per category (orders, payments, disputes, alerts, digest, weather, account): which channels "
    "besides the app's own list (always). Defaults: web and mobile push on; SMS on for orders, disputes and "
    "weather; e-mail off; no quiet hours. A phone without the app always gets SMS.",
    tags=["notifications"],
    responses={
        200: {"description": "The preferences", "content": {JSON: {"model": Preferences}}},
        **error_responses(401),
    },
)
def get_preferences() -> Response[str]:
    return json_body(logic.get_preferences(caller(app), notifications()))


lambda_handler = entry(app)
