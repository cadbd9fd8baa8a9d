"""Pushing to a user's open WebSocket connections (no boto3 here)."""

from __future__ import annotations

from typing import Any, Protocol

from soko.shared import clock
from soko.shared.observability import logger


class Connections(Protocol):
    def of_user(self, user_id: str, now: int) -> list[str]: ...
    def post(self, connection_id: str, payload: dict[str, Any]) -> bool: ...
    def remove(self, user_id: str, connection_id: str) -> None: ...


def push(user_id: str, payload: dict[str, Any], connections: Connections) -> int:
    """Send ``payload`` to every open connection of ``user_id``; returns how many received it.

    Best effort: what is pushed is already stored, so a user who is not connected (or whose
    connection just went away) reads it later over REST. A gone connection is deleted, not retried.
    """
    delivered = 0
    for connection_id in connections.of_user(user_id, clock.epoch()):
        try:
            ok = connections.post(connection_id, payload)
        except Exception:  # a push is never worth failing the write that caused it
            logger.warning("push to a connection failed; it stays stored for REST")
            continue
        if ok:
            delivered += 1
        else:
            connections.remove(user_id, connection_id)
            logger.info("removed a gone connection")
    return delivered
