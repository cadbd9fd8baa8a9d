"""POST /notifications/{id}/read"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications import logic
from soko.notifications.deps import notifications
from soko.notifications.models import Notification
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/notifications/<id>/read",
    summary="Mark a notification read",
    description="Idempotent. Another user's notification does not exist (404).",
    tags=["notifications"],
    responses={
        200: {"description": "The notification", "content": {JSON: {"model": Notification}}},
        **error_responses(401, 404),
    },
)
def mark_read(id: str) -> Response[str]:
    return json_body(logic.mark_read(caller(app), id, notifications()))


lambda_handler = entry(app)
