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
from soko.shared.errors import SokoError
from soko.shared.observability import lambda_entry, logger


def _error(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "error", "error": {"code": code, "message": message, "details": details or {}}}


def _answer(event: dict[str, Any]) -> dict[str, Any]:
    caller = ws_caller(event)
    if caller is None:
        return _error("UNAUTHORIZED", "Sign in to use this.")
    try:
        body = json.loads(event.get("body") or "{}")
        body.pop("action", None)
        request = MessageSend.model_validate(body)
    except ValidationError as err:  # before ValueError, which it subclasses
        fields = [{"field": ".".join(str(p) for p in e["loc"]), "type": e["type"]} for e in err.errors()]
        return _error("VALIDATION_ERROR", "Some values are not valid.", {"fields": fields})
    except (ValueError, AttributeError):
        return _error("MALFORMED_JSON", "The message is not a JSON object.")
    try:
        message = logic.send_message(caller, request, chat())
    except SokoError as err:
        return _error(err.code, err.message, err.details)
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
