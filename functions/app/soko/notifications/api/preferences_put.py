"""PUT /notifications/preferences"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications import logic
from soko.notifications.deps import notifications
from soko.notifications.models import Preferences, PreferencesUpdate
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.put(
    "/notifications/preferences",
    summary="Choose my notification channels and quiet hours",
    description="Replaces the categories given (each with all four channels; the others keep "
    "their choice) and the quiet hours (`null` or absent: none). Quiet hours are East Africa "
    "Time, `HH:MM`, and may cross midnight; in them non-urgent notifications wait until they end "
    "(in-app shows them at once).",
    tags=["notifications"],
    responses={
        200: {"description": "The preferences now", "content": {JSON: {"model": Preferences}}},
        **error_responses(400, 401, 422),
    },
)
def put_preferences(body: PreferencesUpdate) -> Response[str]:
    return json_body(logic.put_preferences(caller(app), body, notifications()))


lambda_handler = entry(app)
