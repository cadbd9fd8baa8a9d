"""The application's SQS queues (the admin domain's second store): their depths, their dead-letter
queues (from each queue's ``RedrivePolicy``) and moving dead letters back."""

from __future__ import annotations

import json
from typing import Any

from soko.admin.ports import MoveUnsupported, QueueState
from soko.shared import aws, dynamo
from soko.shared.errors import Conflict

_ATTRIBUTES = [
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "RedrivePolicy",
]
_UNSUPPORTED = {"NotImplemented", "InvalidAction", "UnknownOperationException", "InternalFailure"}


class MoveRefused(Conflict):
    code = "REPLAY_REFUSED"


class SqsQueues:
    @property
    def _sqs(self) -> Any:
        return aws.client("sqs")

    def queues(self, prefix: str) -> list[QueueState]:
        urls: list[str] = []
        for page in self._sqs.get_paginator("list_queues").paginate(
            QueueNamePrefix=prefix, PaginationConfig={"PageSize": 1000}
        ):
            urls += page.get("QueueUrls", [])
        found = []
        for url in sorted(urls):
            try:
                attributes = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=_ATTRIBUTES)
            except Exception as err:
                if "NonExistentQueue" in dynamo.error_code(err):
                    continue  # deleted between the list and the read
                raise
            found.append(_state(url, attributes.get("Attributes", {})))
        return found

    def start_move(self, source_arn: str, destination_arn: str) -> str:
        try:
            response = self._sqs.start_message_move_task(SourceArn=source_arn, DestinationArn=destination_arn)
        except NotImplementedError:  # moto in-process
            raise MoveUnsupported from None
        except Exception as err:
            code = dynamo.error_code(err)
            if code in _UNSUPPORTED:
                raise MoveUnsupported from None
            if not code:
                raise
            raise MoveRefused(
                "SQS refused to start moving the dead letters (a move may already be running).",
                details={"sqs_error": code},
            ) from None
        return str(response["TaskHandle"])

    def move_batch(self, source_url: str, destination_url: str, max_messages: int) -> int:
        """Receive, send and delete up to ``max_messages`` messages, ten at a time; a message is
        deleted from the source only once the destination has it (at least once: a copy may be
        sent twice, which the consumers' deduplication on the event id absorbs)."""
        moved = 0
        while moved < max_messages:
            received = self._sqs.receive_message(
                QueueUrl=source_url,
                MaxNumberOfMessages=min(10, max_messages - moved),
                MessageAttributeNames=["All"],
                VisibilityTimeout=60,
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not received:
                return moved
            entries = []
            for n, message in enumerate(received):
                entry: dict[str, Any] = {"Id": str(n), "MessageBody": message["Body"]}
                if message.get("MessageAttributes"):
                    entry["MessageAttributes"] = message["MessageAttributes"]
                entries.append(entry)
            sent = self._sqs.send_message_batch(QueueUrl=destination_url, Entries=entries)
            done = [received[int(ok["Id"])] for ok in sent.get("Successful", [])]
            if done:
                self._sqs.delete_message_batch(
                    QueueUrl=source_url,
                    Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)],
                )
            moved += len(done)
            if len(done) < len(received):
                return moved  # the rest stays in the dead-letter queue (visible again shortly)
        return moved


def _state(url: str, attributes: dict[str, str]) -> QueueState:
    dead_letter = None
    if attributes.get("RedrivePolicy"):
        try:
            dead_letter = json.loads(attributes["RedrivePolicy"]).get("deadLetterTargetArn")
        except ValueError:
            dead_letter = None
    arn = attributes.get("QueueArn", "")
    return QueueState(
        url=url,
        name=url.rstrip("/").rsplit("/", 1)[-1],
        arn=arn,
        messages=int(attributes.get("ApproximateNumberOfMessages", 0)),
        in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        dead_letter_arn=dead_letter,
    )
