"""WebSocket ``$disconnect``: forget the connection (best effort: API Gateway may not call it, and
the TTL and the 410 on the next push clean up what it misses)."""

from __future__ import annotations

from typing import Any

from soko.realtime.deps import connections
from soko.realtime.models import connection_id, connection_owner
from soko.shared.observability import lambda_entry


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    owner = connection_owner(event)  # also after the token expired: the record goes all the same
    connection = connection_id(event)
    if owner and connection:
        connections().remove(owner, connection)
    return {"statusCode": 200}
