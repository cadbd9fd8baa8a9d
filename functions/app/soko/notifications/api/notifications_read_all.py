"""POST /notifications/read-all"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications import logic
from soko.notifications.deps import notifications
from soko.notifications.models import ReadAll
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/notifications/read-all",
    summary="Mark all my notifications read",
    tags=["notifications"],
    responses={
        200: {"description": "How many were unread", "content": {JSON: {"model": ReadAll}}},
        **error_responses(401),
    },
)
def read_all() -> Response[str]:
    return json_body(logic.mark_all_read(caller(app), notifications()))


lambda_handler = entry(app)
