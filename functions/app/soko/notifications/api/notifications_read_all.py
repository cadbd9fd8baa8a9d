"""POST /notifications/read-all"""

from aws_lambda_powertools.event_handler import Response

from soko.notifications import logic
from soko.notifications.deps import notifications
from soko.notifications.models import ReadAll
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/notifications/read-all",
    summary="Mark all my notifications read (up to 100 a call)",
    description="Marks up to 100 of the caller's unread notifications read, newest first, and answers "
    "how many it marked and whether unread ones remain (`remaining`); while `remaining` is true, call "
    "it again. Each call does a bounded amount of work, however many notifications are unread.",
    tags=["notifications"],
    responses={
        200: {
            "description": "How many this call marked read, and whether any remain",
            "content": {JSON: {"model": ReadAll}},
        },
        **error_responses(401),
    },
)
def read_all() -> Response[str]:
    return json_body(logic.mark_all_read(caller(app), notifications()))


lambda_handler = entry(app)
