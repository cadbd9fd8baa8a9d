"""WebSocket ``$connect``: the authorizer already admitted the caller; remember the connection."""

from __future__ import annotations

from typing import Any

from soko.realtime.deps import connections
from soko.realtime.models import connection_id, ws_caller
from soko.shared import clock
from soko.shared.observability import lambda_entry


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    caller = ws_caller(event)
    connection = connection_id(event)
    if caller is None or not connection:
        return {"statusCode": 401}
    connections().add(caller.user_id, connection, clock.now_iso(), clock.epoch())
    return {"statusCode": 200}
