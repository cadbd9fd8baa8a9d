"""GET /admin/queues"""

from aws_lambda_powertools.event_handler import Response

from soko.admin import queues
from soko.admin.deps import queues as queues_deps
from soko.admin.models import QueueList
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/admin/queues",
    summary="The application's queues and their dead letters",
    description="Admins only. Every event queue of the application (found by the stack's name "
    "prefix), its depth and its dead-letter queue's depth. A dead letter is an event its consumer "
    "failed on five times; after a fix, replay them with POST /admin/queues/{name}/replay.",
    tags=["admin"],
    responses={
        200: {"description": "The queues", "content": {JSON: {"model": QueueList}}},
        **error_responses(401, 403),
    },
)
def list_queues() -> Response[str]:
    return json_body(queues.list_queues(caller(app), queues_deps()))


lambda_handler = entry(app)
