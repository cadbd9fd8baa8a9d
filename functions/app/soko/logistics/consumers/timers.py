"""The logistics timer queue (EventBridge Scheduler one-time schedules, see
soko.logistics.step_events): a transporter's answer time that ends. Each message is a
``TimerMessage``; the expiry is a write conditioned on the booking still being requested (and its
version), so a timer that fires twice or after the booking moved on does nothing. A record that fails
(a timer that fired early, a write that raced) is retried, then lands in the DLQ."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from soko.logistics import step_events
from soko.logistics.deps import steps
from soko.shared.observability import lambda_entry, logger
from soko.shared.timers import TimerMessage

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch import BatchProcessor
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@cache
def _processor() -> BatchProcessor:
    from aws_lambda_powertools.utilities.batch import BatchProcessor  # noqa: PLC0415
    from aws_lambda_powertools.utilities.batch.base import EventType  # noqa: PLC0415

    return BatchProcessor(event_type=EventType.SQS)


def handle(message: TimerMessage) -> str | None:
    logger.append_keys(timer=message.timer, timer_kind=message.kind)
    moved = step_events.on_timer(message, steps())
    logger.info(
        "booking timer", extra={"booking_id": message.subject, "moved_to": moved.status if moved else None}
    )
    return moved.status if moved else None


def _record(record: SQSRecord) -> None:
    handle(TimerMessage.model_validate(json.loads(record.body)))


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import process_partial_response  # noqa: PLC0415

    return dict(
        process_partial_response(event=event, record_handler=_record, processor=_processor(), context=context)
    )
