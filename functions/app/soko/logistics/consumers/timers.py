"""The logistics timer queue (EventBridge Scheduler one-time schedules, see
soko.logistics.step_events): a transporter's answer time that ends. Each message is a
``TimerMessage``; the expiry is a write conditioned on the booking still being requested (and its
version), so a timer that fires twice or after the booking moved on does nothing. A record that fails
(a timer that fired early, a write that raced) is retried, then lands in the DLQ."""

from __future__ import annotations

from soko.logistics import step_events
from soko.logistics.deps import steps
from soko.shared.consumer import TimerConsumer
from soko.shared.observability import logger
from soko.shared.timers import TimerMessage


def handle(message: TimerMessage) -> str | None:
    moved = step_events.on_timer(message, steps())
    logger.info(
        "booking timer", extra={"booking_id": message.subject, "moved_to": moved.status if moved else None}
    )
    return moved.status if moved else None


lambda_handler = TimerConsumer(handle).lambda_handler
