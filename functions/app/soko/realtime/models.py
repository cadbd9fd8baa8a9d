"""Realtime configuration and the caller of a WebSocket route."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError

from soko.shared import clock
from soko.shared.config import BaseConfig
from soko.shared.identity import Caller


class ConnectionsConfig(BaseConfig):
    """Keeping the connections (``$connect`` / ``$disconnect``)."""

    connections_table_name: str = Field(min_length=1)


class RealtimeConfig(ConnectionsConfig):
    """Every function that pushes to open connections: the table and the WebSocket API."""

    websocket_api_id: str = Field(min_length=1)
    websocket_stage: str = "live"
    # Set by the local runtime (its @connections endpoint); on AWS it is derived from the API id.
    websocket_management_url: str | None = None
    aws_region: str = "us-east-1"

    @property
    def management_url(self) -> str:
        if self.websocket_management_url:
            return self.websocket_management_url
        return f"https://{self.websocket_api_id}.execute-api.{self.aws_region}.amazonaws.com/{self.websocket_stage}"


def _context(event: dict[str, Any]) -> dict[str, Any]:
    return dict((event.get("requestContext") or {}).get("authorizer") or {})


def token_expiry(event: dict[str, Any]) -> int | None:
    """When the access token the connection was opened with expires (epoch seconds), if known."""
    try:
        return int(_context(event)["expiresAt"])
    except (KeyError, TypeError, ValueError):
        return None


def connection_owner(event: dict[str, Any]) -> str:
    """The user the connection was opened by, even once their token has expired ('' if unknown)."""
    return str(_context(event).get("userId") or "")


def session_id(event: dict[str, Any]) -> str:
    """The sign-in session (refresh-token family) the connection was opened in ('' if unknown)."""
    return str(_context(event).get("sessionId") or "")


def ws_caller(event: dict[str, Any]) -> Caller | None:
    """The caller of a WebSocket route: API Gateway hands the ``$connect`` authorizer's context to
    every route of the connection, flat in ``requestContext.authorizer``. A connection lives no
    longer than the token it was opened with: once that token has expired the connection has no
    caller (it must reconnect with a fresh token)."""
    context = _context(event)
    expiry = token_expiry(event)
    if expiry is not None and expiry <= clock.epoch():
        return None
    try:
        return Caller(user_id=context["userId"], role=context["role"], email=context.get("email", ""))
    except (KeyError, ValidationError):
        return None


def connection_id(event: dict[str, Any]) -> str:
    return str((event.get("requestContext") or {}).get("connectionId") or "")
