"""What the alerts functional tests share: the gateway that records every AWS operation a request
makes (a list must never Scan), and a capture of published notices and sent SMS."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from soko.shared.events import EventDetail
from support.gateway import Api


@dataclass
class Gateway(Api):
    operations: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.observe = self._fresh_operations

    @contextmanager
    def _fresh_operations(self, method: str, route_path: str) -> Iterator[None]:
        self.operations.clear()
        yield


@dataclass
class Captured:
    events: list[EventDetail] = field(default_factory=list)
    sms: list[tuple[str, str]] = field(default_factory=list)
    fail_publish: bool = False

    def publish(self, events: Iterable[EventDetail], **_: Any) -> None:
        if self.fail_publish:
            raise RuntimeError("the bus is down")
        self.events += list(events)

    def send_one(self, to: str, message: str) -> str:
        self.sms.append((to, message))
        return f"ATXid_{len(self.sms)}"

    def of(self, detail_type: str) -> list[Any]:
        return [e for e in self.events if detail_type == e.DETAIL_TYPE]
