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


def fire_due(
    client: Client,
    groups: Iterable[str],
    now: datetime | None = None,
    seen: dict[tuple[str, str], tuple[datetime | None, dict[str, Any]]] | None = None,
) -> list[Fired]:
    """Send every due one-time schedule of ``groups`` to its target queue and delete it. ``seen``
    (the runtime keeps one across ticks) remembers each schedule's time and target, so a schedule is
    read once, not every second until it is due: its name is never reused with other contents (a
    timer set again under its name is a no-op)."""
    moment = now or datetime.now(UTC)
    scheduler = client("scheduler")
    known = {} if seen is None else seen
    fired: list[Fired] = []
    for group in groups:
        names = {
            s["Name"]
            for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group)
            for s in page["Schedules"]
        }
        for key in [k for k in known if k[0] == group and k[1] not in names]:
            del known[key]  # cancelled (or fired) meanwhile
        for name in sorted(names):
            if (group, name) not in known:
                schedule = scheduler.get_schedule(GroupName=group, Name=name)
                known[(group, name)] = (due_time(schedule["ScheduleExpression"]), schedule["Target"])
            due, target = known[(group, name)]
            if due is None or due > moment:
                continue
            if target["Arn"].split(":")[2] != "sqs":
                raise ValueError(f"timer {name}: only SQS targets are fired locally")
            client("sqs").send_message(
                QueueUrl=_queue_url(client, target["Arn"]), MessageBody=target.get("Input", "{}")
            )
            scheduler.delete_schedule(GroupName=group, Name=name)
            del known[(group, name)]
            fired.append(Fired(group, name, target["Arn"], due))
    return fired
