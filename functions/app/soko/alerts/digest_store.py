"""The digest queue (SQS): the weekly job sends pages of subscribers; the digest consumer compiles
them. Data access (the only alerts module besides ``dal`` that touches AWS)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from soko.shared import aws

PAGE = 100  # subscribers per message
BATCH = 10  # messages per SendMessageBatch (SQS's most)


class DigestQueue:
    def __init__(self, queue_url: str):
        self.queue_url = queue_url

    def send_pages(self, week: str, owners: Iterable[str]) -> int:
        """Send ``owners`` in pages of ``PAGE``, ten messages a call: how many messages were sent."""
        sent = 0
        batch: list[dict[str, str]] = []
        page: list[str] = []

        def flush() -> None:
            nonlocal sent, batch
            if not batch:
                return
            answer = aws.client("sqs").send_message_batch(QueueUrl=self.queue_url, Entries=batch)
            if answer.get("Failed"):
                raise RuntimeError(f"{len(answer['Failed'])} digest pages were not queued")
            sent += len(batch)
            batch = []

        def add(chunk: list[str]) -> None:
            batch.append({"Id": str(len(batch)), "MessageBody": json.dumps({"week": week, "owners": chunk})})
            if len(batch) == BATCH:
                flush()

        for owner in owners:
            page.append(owner)
            if len(page) == PAGE:
                add(page)
                page = []
        if page:
            add(page)
        flush()
        return sent
