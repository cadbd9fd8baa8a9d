"""Messaging rules: recording the SMS provider's delivery reports (no boto3 here).

The SMS themselves (order alerts to people without the app, notices) are sent by the notifications
pipeline (soko.notifications.channels), which keeps one delivery record per notification and
channel. Each delivery report is passed on to it as ``SmsDeliveryReported`` (soko.messaging): it
links the report to its record by the provider's message id. Messages recorded in this domain's
table before the one pipeline (``SMS#<message id>``) still get their reports appended.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from soko.messaging.events import SmsDeliveryReported
from soko.messaging.models import DeliveryReport, ReportRecorded
from soko.shared import clock
from soko.shared.events import EventDetail
from soko.shared.observability import logger


class MessageStore(Protocol):
    def record_report(self, message_id: str, report: dict[str, Any]) -> bool: ...


@dataclass
class Messaging:
    dal: MessageStore
    publish: Callable[[Iterable[EventDetail]], None]


def record_report(report: DeliveryReport, deps: Messaging) -> ReportRecorded:
    entry = {
        "status": report.status,
        "failure_reason": report.failure_reason or "",
        "network_code": report.network_code or "",
        "at": clock.now_iso(),
    }
    recorded = deps.dal.record_report(report.id, entry)
    deps.publish(
        [
            SmsDeliveryReported(
                message_id=report.id, status=report.status, failure_reason=report.failure_reason
            )
        ]
    )
    if not recorded:
        logger.info("delivery report passed on to the notifications pipeline")
    return ReportRecorded(recorded=recorded)
