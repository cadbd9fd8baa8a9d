"""WebSocket ``$connect``: the authorizer already admitted the caller; remember the connection, with
its session (logout closes it) and no longer than its token lives (pushes stop at the token's expiry)."""

from __future__ import annotations

from typing import Any

from soko.realtime.deps import connections
from soko.realtime.models import connection_id, session_id, token_expiry, ws_caller
from soko.shared import clock
from soko.shared.observability import lambda_entry


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    caller = ws_caller(event)
    connection = connection_id(event)
    if caller is None or not connection:
        return {"statusCode": 401}
    connections().add(
        caller.user_id,
        connection,
        clock.now_iso(),
        clock.epoch(),
        session_id=session_id(event),
        token_expires_at=token_expiry(event),
    )
    return {"statusCode": 200}
