"""Realtime data access: the connections table and the ``@connections`` management API.

| pattern | key |
|---|---|
| a user's open connections | ``USER#<user id>`` / ``CONN#<connection id>`` (TTL: token expiry, <= 2 h) |

A connection is remembered with the sign-in session it was opened in and expires with the access
token it was opened with: after that nothing is pushed to it. Logout, a password reset or a
suspension closes the connections (``DELETE @connections/<id>``: see ``consumers/sessions``).

A push to a connection that API Gateway reports gone (``GoneException``, HTTP 410) deletes it:
it is never retried.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from soko.shared import dynamo
from soko.shared.observability import logger

CONNECTION_SECONDS = 2 * 3600  # API Gateway closes a WebSocket connection after 2 hours


@cache
def _management_client(endpoint_url: str) -> Any:
    import boto3  # noqa: PLC0415

    return boto3.session.Session().client("apigatewaymanagementapi", endpoint_url=endpoint_url)


class ConnectionsDal(dynamo.TableDal):
    def __init__(self, table_name: str, management_url: str):
        super().__init__(table_name)
        self.management_url = management_url

    def add(
        self,
        user_id: str,
        connection_id: str,
        now_iso: str,
        now: int,
        *,
        session_id: str = "",
        token_expires_at: int | None = None,
    ) -> None:
        expires_at = now + CONNECTION_SECONDS
        if token_expires_at is not None:
            expires_at = min(expires_at, token_expires_at)
        item: dict[str, Any] = {
            "pk": f"USER#{user_id}",
            "sk": f"CONN#{connection_id}",
            "connection_id": connection_id,
            "connected_at": now_iso,
            "expires_at": expires_at,
        }
        if session_id:
            item["session_id"] = session_id
        self._table.put_item(Item=item)

    def all_of_user(self, user_id: str) -> list[tuple[str, str]]:
        """Every remembered connection of the user, expired or not: (connection id, session id)."""
        response = self._table.query(
            KeyConditionExpression=dynamo.key("pk").eq(f"USER#{user_id}")
            & dynamo.key("sk").begins_with("CONN#"),
            ConsistentRead=True,
        )
        return [
            (str(item["connection_id"]), str(item.get("session_id") or ""))
            for item in response.get("Items", [])
        ]

    def close(self, connection_id: str) -> None:
        """Close a connection through the ``@connections`` API (one already gone is fine)."""
        if not self.management_url:
            return
        client = _management_client(self.management_url)
        try:
            client.delete_connection(ConnectionId=connection_id)
        except client.exceptions.GoneException:
            return
        except Exception as err:
            if dynamo.error_code(err) in ("GoneException", "410"):
                return
            raise

    def remove(self, user_id: str, connection_id: str) -> None:
        self._table.delete_item(Key={"pk": f"USER#{user_id}", "sk": f"CONN#{connection_id}"})

    def of_user(self, user_id: str, now: int) -> list[str]:
        """The user's open connections (an expired one the TTL sweeper has not deleted yet is left out)."""
        response = self._table.query(
            KeyConditionExpression=dynamo.key("pk").eq(f"USER#{user_id}")
            & dynamo.key("sk").begins_with("CONN#"),
            ConsistentRead=True,
        )
        return [
            str(item["connection_id"])
            for item in response.get("Items", [])
            if int(item.get("expires_at", 0)) > now
        ]

    def post(self, connection_id: str, payload: dict[str, Any]) -> bool:
        """Send one JSON message; False when the connection is gone (410)."""
        if not self.management_url:
            return False
        client = _management_client(self.management_url)
        try:
            client.post_to_connection(ConnectionId=connection_id, Data=json.dumps(payload).encode())
            return True
        except client.exceptions.GoneException:
            return False
        except Exception as err:
            if dynamo.error_code(err) in ("GoneException", "410"):
                return False
            logger.warning("push failed", extra={"error": type(err).__name__})
            raise
