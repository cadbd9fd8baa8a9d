"""WebSocket route ``sendMessage``: ``{"action": "sendMessage", "to_user_id", "text", "listing_id"?}``.

The answer goes back over the same connection: ``{"type": "message_sent", "message": {...}}`` or
``{"type": "error", "error": {"code", "message", "details"}}`` (the REST error shape and codes).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from soko.chat import logic
from soko.chat.deps import chat
from soko.chat.models import MessageSend
from soko.realtime.public import connection_id, ws_caller
from soko.shared.errors import MalformedJson, SokoError, Unauthorized, Unprocessable
from soko.shared.observability import lambda_entry, logger


def _error(err: SokoError) -> dict[str, Any]:
    return {"type": "error", "error": {"code": err.code, "message": err.message, "details": err.details}}


def _request(event: dict[str, Any]) -> MessageSend:
    try:
        body = json.loads(event.get("body") or "{}")
        body.pop("action", None)
        return MessageSend.model_validate(body)
    except ValidationError as err:  # before ValueError, which it subclasses
        fields = [{"field": ".".join(str(p) for p in e["loc"]), "type": e["type"]} for e in err.errors()]
        raise Unprocessable("Some values are not valid.", details={"fields": fields}) from None
    except (ValueError, AttributeError):
        raise MalformedJson("The message is not a JSON object.") from None


def _answer(event: dict[str, Any]) -> dict[str, Any]:
    try:
        caller = ws_caller(event)
        if caller is None:
            raise Unauthorized("Sign in to use this.")
        message = logic.send_message(caller, _request(event), chat())
    except SokoError as err:
        return _error(err)
    return {"type": "message_sent", "message": message.model_dump(mode="json", exclude_none=True)}


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    answer = _answer(event)
    deps = chat()
    connection = connection_id(event)
    if connection and not deps.connections.post(connection, answer):
        logger.info("the sender's connection is gone")
    status = 200 if answer["type"] == "message_sent" else 400
    return {"statusCode": status, "body": json.dumps(answer)}
