"""POST /admin/queues/{name}/replay"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from soko.admin import queues
from soko.admin.deps import queues as queues_deps
from soko.admin.models import ReplayRequest, ReplayResult
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/admin/queues/<name>/replay",
    summary="Replay a queue's dead letters",
    description="Admins only. Moves the messages of the queue's dead-letter queue back to the queue "
    "(`name`: its name or label from GET /admin/queues, or its dead-letter queue's name), after the "
    "fix that makes its consumer succeed. The replay is recorded in the audit log first, with the "
    "reason. Consumers deduplicate on the event id, so replaying an event already handled changes "
    "nothing. In AWS an SQS move task moves them (asynchronously); locally they are moved in "
    "bounded batches (call again while `remaining` > 0).",
    tags=["admin"],
    responses={
        200: {"description": "The replay started (or done)", "content": {JSON: {"model": ReplayResult}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def replay(
    name: Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")],
    request: ReplayRequest,
) -> Response[str]:
    return json_body(queues.replay(caller(app), name, request, queues_deps()))


lambda_handler = entry(app)
