"""What the admin domain's rules need from storage: the audit log and the application's queues."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from soko.shared.dynamo import Page

type Item = dict[str, Any]


class AuditStore(Protocol):
    def append(self, entry: Item) -> bool:
        """Write ``entry`` unless an entry of the same event is there: False when it was."""
        ...

    def page(
        self,
        index: str,
        partition: str,
        filters: dict[str, str],
        *,
        limit: int,
        cursor: str | None,
        scope: str,
    ) -> Page: ...


@dataclass(frozen=True)
class QueueState:
    url: str
    name: str
    arn: str
    messages: int
    in_flight: int
    dead_letter_arn: str | None  # from its RedrivePolicy


class MoveUnsupported(Exception):
    """SQS here (moto, the local runtime) has no StartMessageMoveTask."""


class QueueStore(Protocol):
    def queues(self, prefix: str) -> list[QueueState]: ...
    def start_move(self, source_arn: str, destination_arn: str) -> str: ...
    def move_batch(self, source_url: str, destination_url: str, max_messages: int) -> int: ...
