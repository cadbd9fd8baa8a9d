"""The groups' timer queue (EventBridge Scheduler one-time schedules set by POST /groups): a
group's deadline. Each message is a ``TimerMessage``; the deadline completes an open group at the
tier its fill reached or expires it (``soko.groups.logic.on_timer``), with writes conditioned on the
group still being open, so a timer that fires twice or after the group completed does nothing (but
publish what the group may still owe). A timer that fired early fails its record and is retried;
repeated failures land in the DLQ."""

from __future__ import annotations

from soko.groups import logic
from soko.groups.deps.groups import groups
from soko.shared.consumer import TimerConsumer
from soko.shared.observability import logger
from soko.shared.timers import TimerMessage


def handle(message: TimerMessage) -> str | None:
    status = logic.on_timer(message, groups())
    logger.info("group deadline", extra={"group_id": message.subject, "status": status})
    return status


lambda_handler = TimerConsumer(handle).lambda_handler
