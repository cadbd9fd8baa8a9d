"""WebSocket ``$disconnect``: forget the connection (best effort: API Gateway may not call it, and
the TTL and the 410 on the next push clean up what it misses)."""

from __future__ import annotations

from typing import Any

from soko.realtime.deps import connections
from soko.realtime.models import connection_id, ws_caller
from soko.shared.observability import lambda_entry


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    caller = ws_caller(event)
    connection = connection_id(event)
    if caller is not None and connection:
        connections().remove(caller.user_id, connection)
    return {"statusCode": 200}
