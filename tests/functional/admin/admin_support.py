"""What the admin functional tests share: the AWS operations seen, and draining a queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Operations:
    calls: list[str] = field(default_factory=list)

    def record(self, operation: str) -> None:
        self.calls.append(operation)


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message of a queue, received and deleted (PurgeQueue allows one call a minute)."""
    taken: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
            "Messages", []
        )
        if not messages:
            return taken
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        taken += messages
