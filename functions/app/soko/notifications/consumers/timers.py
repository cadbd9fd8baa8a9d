"""The notifications' timer queue: the end of a recipient's quiet hours (set by the pipeline when a
non-urgent notification arrived in them). Each message is a ``TimerMessage``; the channels it
delivers are claimed once each, so a timer that fires twice sends nothing twice."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from soko.notifications import logic
from soko.notifications.deps import delivering
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


def handle(message: TimerMessage) -> list[str]:
    logger.append_keys(timer=message.timer, timer_kind=message.kind)
    sent = logic.on_timer(message, delivering())
    logger.info("quiet hours ended", extra={"notification_id": message.subject, "channels": sent})
    return sent


def _record(record: SQSRecord) -> None:
    handle(TimerMessage.model_validate(json.loads(record.body)))


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import process_partial_response  # noqa: PLC0415

    return dict(
        process_partial_response(event=event, record_handler=_record, processor=_processor(), context=context)
    )
