"""The digest queue's consumer: each message is a page of subscribers (``DigestPage``); each
subscriber's digest is compiled and published once per week (the notice's id is claimed first), so
a redelivered page sends nothing twice. A record that fails is retried, then lands in the DLQ."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from soko.alerts import deps, logic
from soko.alerts.digest import DigestPage
from soko.shared.observability import lambda_entry, logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch import BatchProcessor
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@cache
def _processor() -> BatchProcessor:
    from aws_lambda_powertools.utilities.batch import BatchProcessor  # noqa: PLC0415
    from aws_lambda_powertools.utilities.batch.base import EventType  # noqa: PLC0415

    return BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    page = DigestPage.model_validate(json.loads(record.body))
    sent = logic.digests(page.owners, deps.firing())
    logger.info("digests", extra={"week": page.week, "owners": len(page.owners), "sent": sent})


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import process_partial_response  # noqa: PLC0415

    return dict(
        process_partial_response(event=event, record_handler=_record, processor=_processor(), context=context)
    )
