"""POST /message/"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from soko.chat import logic
from soko.chat.deps import chat
from soko.chat.models import Message, MessageSend
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body
from soko.shared.idempotency import KEY_PATTERN, IdempotentWrite, register_errors
from soko.shared.identity import Caller

app = create_app()
register_errors(app)


def _send(request: dict[str, Any]) -> dict[str, Any]:
    sender = Caller.model_validate(request["body"]["caller"])
    message = logic.send_message(sender, MessageSend.model_validate(request["body"]["message"]), chat())
    return message.model_dump(mode="json")


send_once = IdempotentWrite("send_message", _send)


@app.post(
    "/message/",
    summary="Send a message (without a WebSocket)",
    description="Up to 2,000 characters; at most 30 messages a minute (429 with `Retry-After` beyond). "
    "Until the two users have a confirmed order, phone numbers and emails in the text are masked. "
    "The recipient gets it live if connected to the WebSocket API. With an `Idempotency-Key`, a retry "
    "with the same body returns the first message.",
    tags=["messages"],
    responses={
        201: {"description": "Sent", "content": {JSON: {"model": Message}}},
        **error_responses(400, 401, 404, 409, 422, 429),
    },
)
def send(
    request: MessageSend,
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key", pattern=KEY_PATTERN)] = None,
) -> Response[str]:
    sender = caller(app)
    if idempotency_key is None:
        return json_body(logic.send_message(sender, request, chat()), 201)
    body = {"caller": sender.model_dump(), "message": request.model_dump(mode="json")}
    result = send_once(caller=sender.user_id, key=idempotency_key, body=body)
    return Response(201, JSON, Message.model_validate(result).model_dump_json(exclude_none=True))


lambda_handler = entry(app, on_context=send_once.config.register_lambda_context)
