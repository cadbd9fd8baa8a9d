"""The transactional outbox: an event is written in the same DynamoDB transaction as the data it
describes, and the outbox relay (a consumer of the table's stream) publishes it to EventBridge.
A request that committed its data therefore never loses its event, and a failed publish is
retried by the stream, not by the client.

An outbox item lives in the domain's own table (``pk = OUTBOX#<event_id>``) and expires by TTL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from soko.shared import clock
from soko.shared.events import EventDetail

PK_PREFIX = "OUTBOX#"
SORT_KEY = "EVENT"
TTL_SECONDS = 24 * 3600


def item(event: EventDetail) -> dict[str, Any]:
    """The outbox item for ``event`` (a ``Put`` in the caller's transaction)."""
    return {
        "pk": f"{PK_PREFIX}{event.event_id}",
        "sk": SORT_KEY,
        "source": event.SOURCE,
        "detail_type": event.DETAIL_TYPE,
        "detail": event.model_dump_json(),
        "created_at": clock.now_iso(),
        "expires_at": clock.epoch() + TTL_SECONDS,
    }


def puts(table_name: str, events: Iterable[EventDetail]) -> list[dict[str, Any]]:
    """TransactWriteItems ``Put``s (low-level form) of the events' outbox items."""
    from soko.shared.dynamo import serialize  # noqa: PLC0415

    return [{"Put": {**put(table_name, e)["Put"], "Item": serialize(item(e))}} for e in events]


def put(table_name: str, event: EventDetail) -> dict[str, Any]:
    """A TransactWriteItems ``Put`` of ``event``'s outbox item (resource-style attribute values)."""
    return {
        "Put": {
            "TableName": table_name,
            "Item": item(event),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
