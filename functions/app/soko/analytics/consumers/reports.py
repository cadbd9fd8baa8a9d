"""The reports queue's worker: builds one report per message (``{"report_id": ...}``, sent by
``POST /reports`` and the weekly schedule) and writes its file to the reports bucket.

Idempotent on the report: building starts with a conditional ``queued`` -> ``running`` write, so a
redelivered message for a report being built, ready or failed does nothing (no rebuild, no second
write). A message that is not ours fails its record alone (partial batch failure; the DLQ after the
queue's ``maxReceiveCount``); a passing error is retried by the queue, and on the last attempt the
report is marked failed with a user-safe message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from soko.analytics import reports
from soko.analytics.deps import reports as wiring
from soko.shared.observability import lambda_entry, logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


class ReportMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")


def handle(message: ReportMessage, receive_count: int, deps: reports.ReportsDeps | None = None) -> str:
    outcome = reports.build(
        message.report_id, deps or wiring.worker(), last_attempt=receive_count >= wiring.attempts()
    )
    logger.info("report", extra={"report_id": message.report_id, "outcome": outcome})
    return outcome


def _record(record: SQSRecord) -> None:
    count = int(record.attributes.approximate_receive_count or 1)
    handle(ReportMessage.model_validate_json(record.body), count)


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
