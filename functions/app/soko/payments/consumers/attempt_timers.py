"""The payments timer queue (one-time EventBridge Scheduler schedules, ``soko.shared.timers``): a
payment attempt's expiry (``payment.expire``, set when the attempt is recorded). The expiry acts
only on a payment still pending, so a timer that fires late or twice changes nothing; a message
that is not a timer of ours fails its record alone (partial batch failure) and ends in the DLQ."""

from __future__ import annotations

from soko.payments import attempts
from soko.payments.deps import payments
from soko.shared.consumer import TimerConsumer
from soko.shared.observability import logger
from soko.shared.timers import TimerMessage


def handle(message: TimerMessage) -> None:
    if message.kind != attempts.EXPIRE:
        raise ValueError(f"not a payments timer: {message.kind}")
    expired = attempts.expire(message.subject, payments())
    logger.info("payment attempt timer", extra={"payment_id": message.subject, "expired": expired})


lambda_handler = TimerConsumer(handle).lambda_handler
