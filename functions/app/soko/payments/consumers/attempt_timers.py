"""The payments timer queue (one-time EventBridge Scheduler schedules, ``soko.shared.timers``): a
payment attempt's expiry (``payment.expire``, set when the attempt is recorded). The expiry acts
only on a payment still pending, so a timer that fires late or twice changes nothing; a message
that is not a timer of ours fails its record alone (partial batch failure) and ends in the DLQ."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from soko.payments import attempts
from soko.payments.deps import payments
from soko.shared.observability import lambda_entry, logger
from soko.shared.timers import TimerMessage

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


def handle(message: TimerMessage) -> None:
    if message.kind != attempts.EXPIRE:
        raise ValueError(f"not a payments timer: {message.kind}")
    expired = attempts.expire(message.subject, payments())
    logger.info("payment attempt timer", extra={"payment_id": message.subject, "expired": expired})


def _record(record: SQSRecord) -> None:
    handle(TimerMessage.model_validate_json(record.body))


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import (  # noqa: PLC0415  (boto3 on first use only)
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    processor = BatchProcessor(event_type=EventType.SQS)
    return dict(
        process_partial_response(event=event, record_handler=_record, processor=processor, context=context)
    )
