"""Real timers: one-time EventBridge Scheduler schedules that put a message on a domain's timer
queue when they are due (an order's expiry, the end of a dispute window, a payment attempt's
deadline). Never a sweep: nothing scans for what is due.

A domain's stack declares a ``AWS::Scheduler::ScheduleGroup``, a timer queue (with its DLQ and alarm),
a role the scheduler assumes to send to that queue, and a consumer of the queue; functions that set
timers get ``TIMER_GROUP``, ``TIMER_QUEUE_ARN`` and ``TIMER_ROLE_ARN`` (see ``docs/conventions.md``).
The message body is the timer's JSON ``payload`` exactly; a consumer reads it with
:class:`TimerMessage` and acts only when the record's state still calls for it (a timer may fire
after the state moved on, and SQS delivers at least once). The local runtime fires due schedules
the same way.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from soko.shared import aws
from soko.shared.config import BaseConfig

_NAME = re.compile(r"[^0-9A-Za-z_.-]")


class TimerConfig(BaseConfig):
    """A function that sets or cancels timers (TIMER_GROUP, TIMER_QUEUE_ARN, TIMER_ROLE_ARN)."""

    timer_group: str = Field(min_length=1)
    timer_queue_arn: str = Field(min_length=1)
    timer_role_arn: str = Field(min_length=1)


class TimerMessage(BaseModel):
    """What a timer queue's message says: which timer, for what, with the payload's own fields."""

    model_config = ConfigDict(extra="allow", frozen=True)

    timer: str = Field(min_length=1, description="the timer's name")
    kind: str = Field(min_length=1, description="what to do, e.g. order.expire")
    subject: str = Field(min_length=1, description="the record it is about, e.g. an order id")


class Timers(Protocol):
    def set(self, name: str, due: datetime, *, kind: str, subject: str, **fields: Any) -> None: ...

    def cancel(self, name: str) -> None: ...


def timer_name(*parts: str) -> str:
    """A schedule name (1-64 of [0-9A-Za-z_.-]) from its parts, e.g. ("order", id, "expire")."""
    return _NAME.sub("-", ".".join(parts))[:64]


def at_expression(due: datetime) -> str:
    """EventBridge Scheduler's one-time expression, in UTC, to the second."""
    return f"at({due.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"


class SchedulerTimers:
    """Timers as one-time EventBridge Scheduler schedules that delete themselves once fired."""

    def __init__(self, config: TimerConfig) -> None:
        self._config = config

    def set(self, name: str, due: datetime, *, kind: str, subject: str, **fields: Any) -> None:
        """Set the timer ``name``; setting one that exists already is a no-op (retries are safe)."""
        body = TimerMessage(timer=name, kind=kind, subject=subject, **fields).model_dump(mode="json")
        try:
            aws.client("scheduler").create_schedule(
                Name=name,
                GroupName=self._config.timer_group,
                ScheduleExpression=at_expression(due),
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": self._config.timer_queue_arn,
                    "RoleArn": self._config.timer_role_arn,
                    "Input": json.dumps(body),
                    "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
                },
            )
        except aws.client("scheduler").exceptions.ConflictException:
            return

    def cancel(self, name: str) -> None:
        """Cancel the timer ``name``; one already fired (and deleted) or never set is fine."""
        try:
            aws.client("scheduler").delete_schedule(Name=name, GroupName=self._config.timer_group)
        except aws.client("scheduler").exceptions.ResourceNotFoundException:
            return
