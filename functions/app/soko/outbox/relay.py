"""Publishes outbox items from DynamoDB streams to the Soko bus.

Records that are not new outbox items are skipped (the template's FilterCriteria already drops
them on AWS). A failed publish fails only the records from the first failure on (stream
semantics: order is kept), so the stream retries them and then the on-failure destination keeps
what could not be sent.
"""

from __future__ import annotations

from typing import Any

from soko.shared.bus import EventPublisher
from soko.shared.config import BusConfig, load
from soko.shared.observability import lambda_entry, logger
from soko.shared.outbox import PK_PREFIX

_publisher: EventPublisher | None = None


def _bus() -> EventPublisher:
    global _publisher  # noqa: PLW0603  (one publisher per execution environment and bus)
    bus = load(BusConfig).event_bus_name
    if _publisher is None or _publisher.bus_name != bus:
        _publisher = EventPublisher(bus)
    return _publisher


def _outbox_event(record: dict[str, Any]) -> tuple[str, str, str] | None:
    if record.get("eventName") != "INSERT":
        return None
    image = record.get("dynamodb", {}).get("NewImage", {})
    if not image.get("pk", {}).get("S", "").startswith(PK_PREFIX):
        return None
    return image["source"]["S"], image["detail_type"]["S"], image["detail"]["S"]


def relay(event: dict[str, Any]) -> dict[str, Any]:
    records = event.get("Records", [])
    for index, record in enumerate(records):
        outbox_event = _outbox_event(record)
        if outbox_event is None:
            continue
        try:
            _bus().publish_raw([outbox_event])
        except Exception:
            logger.exception("publishing an outbox event failed", extra={"detail_type": outbox_event[1]})
            failed = records[index:]
            return {
                "batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in failed[:1]]
            }
    return {"batchItemFailures": []}


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return relay(event)
