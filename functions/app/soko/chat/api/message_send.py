"""POST /message/"""

from soko.chat import logic
from soko.chat.deps import chat
from soko.chat.models import Message, MessageSend
from soko.shared.http import create_app
from soko.shared.idempotency import IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _send(sender: Caller, request: MessageSend) -> Message:
    return logic.send_message(sender, request, chat())


# Absent fields (no listing, no original text) are left out, with or without an Idempotency-Key.
send = IdempotentCreate("send_message", "message", MessageSend, Message, _send, exclude_none=True)
send.route(
    app,
    "/message/",
    name="send",
    summary="Send a message (without a WebSocket)",
    description="Up to 2,000 characters; at most 30 messages a minute (429 with `Retry-After` beyond). "
    "Until the two users have a confirmed order, phone numbers and emails in the text are masked. "
    "A `listing_id` names a listing of the sender or the recipient (404 `LISTING_NOT_FOUND` when no "
    "listing has it, 422 when it is someone else's). "
    "The recipient gets it live if connected to the WebSocket API. With an `Idempotency-Key`, a retry "
    "with the same body returns the first message.",
    tags=["messages"],
    created="Sent",
    errors=(400, 401, 404, 409, 422, 429),
)
lambda_handler = send.lambda_handler(app)
