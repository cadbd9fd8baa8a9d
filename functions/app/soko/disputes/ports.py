"""What the dispute rules need of the outside world (the DAL and the media bucket, or fakes)."""

from __future__ import annotations

from typing import Any, Protocol

from soko.shared.dynamo import Page
from soko.shared.events import EventDetail


class DisputeStore(Protocol):
    def create(self, case: dict[str, Any]) -> bool: ...
    def get(self, dispute_id: str) -> dict[str, Any] | None: ...
    def page(self, status: str, newest_first: bool, limit: int, cursor: str | None) -> Page: ...
    def by_order(self, order_id: str) -> list[dict[str, Any]]: ...
    def resolve(self, case: dict[str, Any], resolved: dict[str, Any], events: list[EventDetail]) -> bool: ...


class PhotoLinks(Protocol):
    def view_url(self, key: str) -> str: ...
