"""The groups' timer queue (EventBridge Scheduler one-time schedules set by POST /groups): a
group's deadline. Each message is a ``TimerMessage``; the deadline completes an open group at the
tier its fill reached or expires it (``soko.groups.logic.on_timer``), with writes conditioned on the
group still being open, so a timer that fires twice or after the group completed does nothing (but
publish what the group may still owe). A timer that fired early fails its record and is retried;
repeated failures land in the DLQ."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from soko.groups import logic
from soko.groups.deps.groups import groups
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
    status = logic.on_timer(message, groups())
    logger.info("group deadline", extra={"group_id": message.subject, "status": status})
    return status


def _record(record: SQSRecord) -> None:
    handle(TimerMessage.model_validate(json.loads(record.body)))


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import process_partial_response  # noqa: PLC0415

    return dict(
        process_partial_response(event=event, record_handler=_record, processor=_processor(), context=context)
    )
