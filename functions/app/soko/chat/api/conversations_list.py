"""GET /message/conversations"""

from aws_lambda_powertools.event_handler import Response

from soko.chat import logic
from soko.chat.deps import conversations
from soko.chat.models import ConversationPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/message/conversations",
    summary="My conversations",
    description="The caller's conversations, the one with the newest message first, cursor-paginated.",
    tags=["messages"],
    responses={
        200: {"description": "A page of conversations", "content": {JSON: {"model": ConversationPage}}},
        **error_responses(400, 401, 422),
    },
)
def list_conversations(limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(logic.list_conversations(caller(app), limit, cursor, conversations()))


lambda_handler = entry(app)
