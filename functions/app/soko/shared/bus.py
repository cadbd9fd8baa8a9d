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
MAX_REQUEST_BYTES = 256 * 1024  # ... and at most 256 KB of entries per call (and so per entry)
_TIME_BYTES = 14  # an entry's Time counts as 14 bytes in EventBridge's size formula
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
    def bus_name(self) -> str:
        return self._bus_name

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
        """Publish already-serialised ``(source, detail_type, detail_json)`` triples (the outbox relay),
        in requests of at most 10 entries and 256 KB."""
        batch: list[Entry] = []
        batch_bytes = 0
        for source, detail_type, detail in events:
            entry = self._entry(source, detail_type, detail, resources)
            size = entry_size(entry)
            if batch and (len(batch) == MAX_BATCH or batch_bytes + size > MAX_REQUEST_BYTES):
                self._send(batch)
                batch, batch_bytes = [], 0
            batch.append(entry)
            batch_bytes += size
        if batch:
            self._send(batch)

    def _entry(self, source: str, detail_type: str, detail: str, resources: Sequence[str]) -> Entry:
        entry: Entry = {
            "EventBusName": self._bus_name,
            "Source": source,
            "DetailType": detail_type,
            "Detail": detail,
            "Resources": list(resources),
        }
        if entry_size(entry) > MAX_REQUEST_BYTES:
            raise ValueError(f"{detail_type} is larger than EventBridge's 256 KB limit")
        return entry

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


def entry_size(entry: Entry) -> int:
    """EventBridge's size of an entry: Source, DetailType, Detail, Resources and Time."""
    parts = [entry.get("Source", ""), entry.get("DetailType", ""), entry.get("Detail", "")]
    parts += list(entry.get("Resources", []))
    return _TIME_BYTES + sum(len(str(part).encode()) for part in parts)


def _describe(entry: Entry, result: Any) -> dict[str, str]:
    return {
        "detail_type": entry.get("DetailType", ""),
        "error_code": str(result.get("ErrorCode", "")),
        "error_message": str(result.get("ErrorMessage", "")),
    }
