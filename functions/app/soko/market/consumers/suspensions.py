"""Identity's ``UserSuspended`` / ``UserReinstated`` (soko.users) -> the farmer's listings hidden or
shown again (soko.market.moderation.apply_suspension).

Idempotent (the event id, and conditional writes that converge on the recorded state) and safe
out of order (the latest change by ``occurred_at`` wins); reinstating never brings back a listing
an admin took down. Each event is read with identity's contract: one that does not fit fails (and
after its retries is in the DLQ)."""

from __future__ import annotations

from soko.identity.events import UserReinstated, UserSuspended
from soko.market import moderation
from soko.market.deps import moderation as moderation_deps
from soko.shared import clock
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def handle(event: ReceivedEvent) -> None:
    suspended = event.parse_any(UserSuspended)
    change = suspended or event.parse_any(UserReinstated)
    if change is None:
        raise ValueError(f"not a suspension change: {event.source} {event.detail_type}")
    seen = moderation.apply_suspension(
        change.user_id,
        suspended is not None,
        clock.iso(change.occurred_at),
        change.event_id,
        moderation_deps(),
    )
    logger.info("suspension applied to listings", extra={"user_id": change.user_id, "listings": seen})


consumer = EventConsumer("market.suspensions", handle)
lambda_handler = consumer.lambda_handler
