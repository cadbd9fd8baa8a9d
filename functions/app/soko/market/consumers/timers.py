"""The market's timer queue (EventBridge Scheduler one-time schedules, see soko.market.order_timers):
an order that expires, a dispute window that ends. Each message is a ``TimerMessage``; the action is
a conditional write, so a timer that fires twice or after the order moved on does nothing. A record
that fails (a timer that fired early, a write that raced) is retried, then lands in the DLQ."""

from __future__ import annotations

from soko.market import order_timers
from soko.market.deps import market
from soko.shared.consumer import TimerConsumer
from soko.shared.observability import logger
from soko.shared.timers import TimerMessage


def handle(message: TimerMessage) -> str | None:
    status = order_timers.on_timer(message, market())
    logger.info("order timer", extra={"order_id": message.subject, "moved_to": status})
    return status


lambda_handler = TimerConsumer(handle).lambda_handler
