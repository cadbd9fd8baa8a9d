"""Publishing events to the Soko bus (data access: the only module here that calls EventBridge)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from soko.shared import aws
from soko.shared.errors import DependencyUnavailable
from soko.shared.events import EventDetail

type Entry = dict[str, Any]  # one PutEvents request entry
MAX_BATCH = 10  # PutEvents accepts at most 10 entries per call
MAX_ENTRY_BYTES = 256 * 1024
_RETRYABLE = {"ThrottlingException", "InternalException", "InternalFailure", "ServiceUnavailable"}


class EventPublishError(DependencyUnavailable):
    code = "EVENT_PUBLISH_FAILED"


class EventPublisher:
    """Sends contracts to one bus in batches of ten, retrying only the entries that failed."""

    def __init__(
        self,
        bus_name: str,
        *,
        client: Any = None,
        retries: int = 2,
        backoff_seconds: float = 0.05,
    ) -> None:
        if not bus_name:
            raise ValueError("an event bus name is required")
        self._bus_name = bus_name
        self._client = client
        self._retries = retries
        self._backoff = backoff_seconds

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws.client("events")
        return self._client

    def publish(self, events: Iterable[EventDetail], *, resources: Sequence[str] = ()) -> None:
        self.publish_raw(
            ((event.SOURCE, event.DETAIL_TYPE, event.model_dump_json()) for event in events),
            resources=resources,
        )

    def publish_raw(self, events: Iterable[tuple[str, str, str]], *, resources: Sequence[str] = ()) -> None:
        """Publish already-serialised ``(source, detail_type, detail_json)`` triples (the outbox relay)."""
        entries = [
            self._entry(source, detail_type, detail, resources) for source, detail_type, detail in events
        ]
        for start in range(0, len(entries), MAX_BATCH):
            self._send(entries[start : start + MAX_BATCH])

    def _entry(self, source: str, detail_type: str, detail: str, resources: Sequence[str]) -> Entry:
        if len(detail.encode()) > MAX_ENTRY_BYTES:
            raise ValueError(f"{detail_type} detail is larger than EventBridge's 256 KB limit")
        return {
            "EventBusName": self._bus_name,
            "Source": source,
            "DetailType": detail_type,
            "Detail": detail,
            "Resources": list(resources),
        }

    def _send(self, batch: list[Entry]) -> None:
        pending = batch
        for attempt in range(self._retries + 1):
            response = self.client.put_events(Entries=pending)
            if response.get("FailedEntryCount", 0) == 0:
                return
            failed = [
                (entry, result)
                for entry, result in zip(pending, response["Entries"], strict=True)
                if result.get("ErrorCode")
            ]
            retryable = all(result.get("ErrorCode") in _RETRYABLE for _, result in failed)
            if not retryable or attempt == self._retries:
                raise EventPublishError(
                    "Some events could not be published; please retry.",
                    details={"failed": [_describe(entry, result) for entry, result in failed]},
                )
            pending = [entry for entry, _ in failed]
            time.sleep(self._backoff * (2**attempt))


def _describe(entry: Entry, result: Any) -> dict[str, str]:
    return {
        "detail_type": entry.get("DetailType", ""),
        "error_code": str(result.get("ErrorCode", "")),
        "error_message": str(result.get("ErrorMessage", "")),
    }
