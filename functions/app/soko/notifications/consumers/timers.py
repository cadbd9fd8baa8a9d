"""The notifications' timer queue: the end of a recipient's quiet hours (set by the pipeline when a
non-urgent notification arrived in them). Each message is a ``TimerMessage``; the channels it
delivers are claimed once each, so a timer that fires twice sends nothing twice."""

from __future__ import annotations

from soko.notifications import logic
from soko.notifications.deps import delivering
from soko.shared.consumer import TimerConsumer
from soko.shared.observability import logger
from soko.shared.timers import TimerMessage


def handle(message: TimerMessage) -> list[str]:
    sent = logic.on_timer(message, delivering())
    logger.info("quiet hours ended", extra={"notification_id": message.subject, "channels": sent})
    return sent


lambda_handler = TimerConsumer(handle).lambda_handler
