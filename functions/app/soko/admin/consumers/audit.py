"""Every ``AdminActionTaken`` of any ``soko.*`` source -> the append-only admin audit log.

Each domain declares its own ``AdminActionTaken`` (``soko.shared.audit.AdminAction`` with its
SOURCE); this consumer reads any of them with that shared contract, so a new domain's admin
actions are recorded without a change here. Idempotent twice over: ``EventConsumer`` deduplicates
on the event id, and the entry's key is the event id, written only if absent (a redelivery after
the deduplication record expired, or a replayed dead letter, writes nothing)."""

from __future__ import annotations

from soko.admin import audit
from soko.admin.deps import audit as audit_deps
from soko.shared.audit import ADMIN_ACTION_TAKEN, AdminAction
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def handle(event: ReceivedEvent) -> None:
    if event.detail_type != ADMIN_ACTION_TAKEN or not event.source.startswith("soko."):
        raise ValueError(f"not an admin action: {event.source} {event.detail_type}")
    action = event.parse(AdminAction)
    if not audit.record(action, event.source, audit_deps()):
        logger.info("admin action already recorded", extra={"audit_event_id": action.event_id})


consumer = EventConsumer("admin.audit", handle)
lambda_handler = consumer.lambda_handler
