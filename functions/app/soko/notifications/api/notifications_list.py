"""GET /notifications/"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications import logic
from soko.notifications.deps import notifications
from soko.notifications.models import NotificationPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/notifications/",
    summary="My notifications",
    description="Unread first, then read; newest first within each; cursor-paginated. Admins share one "
    "inbox (new and resolved disputes): what one admin reads is read for all.",
    tags=["notifications"],
    responses={
        200: {"description": "A page of notifications", "content": {JSON: {"model": NotificationPage}}},
        **error_responses(400, 401, 422),
    },
)
def list_notifications(limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(logic.list_notifications(caller(app), limit, cursor, notifications()))


lambda_handler = entry(app)
