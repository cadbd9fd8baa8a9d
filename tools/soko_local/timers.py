"""EventBridge Scheduler's one-time schedules, fired locally (moto stores schedules, never fires them).

A domain sets a timer with ``soko.shared.timers`` (``at(...)`` schedule, SQS target, deleted after it
fires). The local runtime calls :func:`fire_due` every second; an in-process test calls it with the
time it wants to be "now". Each due schedule's ``Input`` is sent to its target queue, as the
scheduler would, and the schedule is deleted (``ActionAfterCompletion: DELETE``). Only SQS targets
are supported, which is all Soko's timers use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")

Client = Callable[[str], Any]


@dataclass(frozen=True)
class Fired:
    group: str
    name: str
    queue_arn: str
    due: datetime


def due_time(expression: str) -> datetime | None:
    """The moment of an ``at(yyyy-mm-ddThh:mm:ss)`` expression (UTC), or None for other kinds."""
    match = _AT.match(expression)
    if match is None:
        return None
    return datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def _queue_url(client: Client, arn: str) -> str:
    _, _, _, _region, account, name = arn.split(":", 5)
    return str(client("sqs").get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"])


def fire_due(client: Client, groups: Iterable[str], now: datetime | None = None) -> list[Fired]:
    """Send every due one-time schedule of ``groups`` to its target queue and delete it."""
    moment = now or datetime.now(UTC)
    scheduler = client("scheduler")
    fired: list[Fired] = []
    for group in groups:
        summaries = [
            s
            for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group)
            for s in page["Schedules"]
        ]
        for summary in summaries:
            schedule = scheduler.get_schedule(GroupName=group, Name=summary["Name"])
            due = due_time(schedule["ScheduleExpression"])
            if due is None or due > moment:
                continue
            target = schedule["Target"]
            if target["Arn"].split(":")[2] != "sqs":
                raise ValueError(f"timer {summary['Name']}: only SQS targets are fired locally")
            client("sqs").send_message(
                QueueUrl=_queue_url(client, target["Arn"]), MessageBody=target.get("Input", "{}")
            )
            scheduler.delete_schedule(GroupName=group, Name=summary["Name"])
            fired.append(Fired(group, summary["Name"], target["Arn"], due))
    return fired
