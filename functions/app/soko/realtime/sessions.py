"""Closing the connections of a session or an account that was signed out (no boto3 here)."""

from __future__ import annotations

from typing import Protocol

from soko.shared.observability import logger


class Closable(Protocol):
    def all_of_user(self, user_id: str) -> list[tuple[str, str]]: ...
    def close(self, connection_id: str) -> None: ...
    def remove(self, user_id: str, connection_id: str) -> None: ...


def close_sessions(user_id: str, session_id: str | None, connections: Closable) -> int:
    """Close the user's connections opened in ``session_id`` (and those whose session is unknown),
    or all of them when ``session_id`` is None; returns how many were closed."""
    closed = 0
    for connection_id, connection_session in connections.all_of_user(user_id):
        if session_id is not None and connection_session and connection_session != session_id:
            continue
        connections.close(connection_id)  # raises on a real failure: the record is retried
        connections.remove(user_id, connection_id)
        closed += 1
    logger.info("closed the connections of an ended session", extra={"user_id": user_id, "closed": closed})
    return closed
