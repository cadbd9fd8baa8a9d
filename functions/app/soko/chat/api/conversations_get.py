"""GET /message/conversations/{id}"""

from aws_lambda_powertools.event_handler import Response

from soko.chat import logic
from soko.chat.deps import conversations
from soko.chat.models import MessagePage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/message/conversations/<id>",
    summary="A conversation's messages",
    description="Newest first, cursor-paginated. Its two members only (admins too, who also see the "
    "text as typed in `original_text`); to anyone else it does not exist (404).",
    tags=["messages"],
    responses={
        200: {"description": "A page of messages", "content": {JSON: {"model": MessagePage}}},
        **error_responses(400, 401, 404, 422),
    },
)
def get_conversation(id: str, limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(logic.get_conversation(caller(app), id, limit, cursor, conversations()))


lambda_handler = entry(app)
