"""The admin domain's public read: the application's queues and their depths, as GET /admin/queues
reads them (for analytics' GET /admin/metrics). Reads only; no audit, no replay."""

from __future__ import annotations

from dataclasses import dataclass

from soko.admin.queues import queue_infos
from soko.admin.sqs_store import SqsQueues


@dataclass(frozen=True)
class QueueDepth:
    name: str  # the queue's logical id (ReportsQueue), as GET /admin/queues labels it
    visible: int
    in_flight: int
    dead_letters: int  # messages in its dead-letter queue (0 without one)


def queue_depths(prefix: str) -> list[QueueDepth]:
    """Every queue whose name starts with ``prefix`` (the root stack's name and a dash) that is not a
    dead-letter queue, by label."""
    return [
        QueueDepth(
            name=info.label,
            visible=info.messages,
            in_flight=info.in_flight,
            dead_letters=info.dead_letters.messages if info.dead_letters else 0,
        )
        for info in queue_infos(SqsQueues().queues(prefix), prefix)
    ]
