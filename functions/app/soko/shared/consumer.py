"""SQS consumers of EventBridge events: Powertools ``BatchProcessor`` with partial batch failures,
idempotent on the EventBridge event ``id`` (a redelivered event arrives in a new SQS message with a
new message id, so the message id would not do).

Deduplication is on ``detail.event_id`` (our id, stable when the outbox relay re-publishes) and
falls back to EventBridge's ``id`` for events from elsewhere. A consumer function is::

    consumer = EventConsumer("notifications", handle)   # handle(ReceivedEvent) -> None
    lambda_handler = consumer.lambda_handler

``handle`` raising marks only that record failed; SQS redelivers it and, after the queue's
``maxReceiveCount``, moves it to the DLQ. A record that is not an EventBridge event fails the same
way (it is poison, and belongs in the DLQ where someone will look at it).

A timer queue's consumer (EventBridge Scheduler one-time schedules, :mod:`soko.shared.timers`) is
the same loop over ``TimerMessage`` records::

    lambda_handler = TimerConsumer(on_timer).lambda_handler   # on_timer(TimerMessage)

It keeps no idempotency record: a timer's effect is a write conditioned on the state it expects, so
a timer delivered twice, or after its subject moved on, does nothing the second time. ``on_timer``
raising (a timer that fired early, a table that did not answer) fails only that record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from soko.shared import aws
from soko.shared.config import IdempotencyTableConfig, load
from soko.shared.events import ReceivedEvent
from soko.shared.observability import lambda_entry, logger
from soko.shared.timers import TimerMessage

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch import BatchProcessor
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

IDEMPOTENCY_SECONDS = 7 * 24 * 3600  # longer than any queue's retention with its redrives


def _sqs_processor() -> BatchProcessor:
    from aws_lambda_powertools.utilities.batch import BatchProcessor  # noqa: PLC0415
    from aws_lambda_powertools.utilities.batch.base import EventType  # noqa: PLC0415

    return BatchProcessor(event_type=EventType.SQS)


class EventConsumer:
    def __init__(self, name: str, handle: Callable[[ReceivedEvent], None]):
        self.name = name
        self._handle = handle
        self._process_once: Callable[..., Any] | None = None
        self._table = ""
        self.lambda_handler = lambda_entry(correlation_id_path=None)(self._lambda_handler)

    # Powertools' batch and idempotency utilities import boto3 (about 70 ms): built on the first
    # invocation, which needs boto3 for DynamoDB anyway, not at import.
    @cached_property
    def _processor(self) -> BatchProcessor:
        return _sqs_processor()

    @cached_property
    def _config(self) -> IdempotencyConfig:
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig  # noqa: PLC0415

        return IdempotencyConfig(
            event_key_jmespath="detail.event_id || id",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=IDEMPOTENCY_SECONDS,
        )

    def _once(self) -> Callable[..., Any]:
        from aws_lambda_powertools.utilities.idempotency import (  # noqa: PLC0415
            DynamoDBPersistenceLayer,
            idempotent_function,
        )

        table = load(IdempotencyTableConfig).idempotency_table_name
        if self._process_once is None or table != self._table:  # built per configured table
            self._table = table
            persistence = DynamoDBPersistenceLayer(table_name=table, boto3_client=aws.client("dynamodb"))

            @idempotent_function(  # type: ignore[untyped-decorator]
                data_keyword_argument="event",
                config=self._config,
                persistence_store=persistence,
                key_prefix=f"consumer.{self.name}",
            )
            def process(event: dict[str, Any]) -> dict[str, str]:
                self._handle(ReceivedEvent.model_validate(event))
                return {"processed": event["id"]}

            self._process_once = process
        return self._process_once

    def _record(self, record: SQSRecord) -> None:
        event = json.loads(record.body)
        ReceivedEvent.model_validate(event)  # poison (not an event) fails before any idempotency record
        logger.append_keys(event_id=event.get("id"), detail_type=event.get("detail-type"))
        self._once()(event=event)

    def _lambda_handler(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        from aws_lambda_powertools.utilities.batch import process_partial_response  # noqa: PLC0415

        self._config.register_lambda_context(context)
        response = process_partial_response(
            event=event, record_handler=self._record, processor=self._processor, context=context
        )
        return dict(response)


class TimerConsumer:
    def __init__(self, on_timer: Callable[[TimerMessage], object]):
        self._on_timer = on_timer
        self.lambda_handler = lambda_entry(correlation_id_path=None)(self._lambda_handler)

    @cached_property
    def _processor(self) -> BatchProcessor:
        return _sqs_processor()

    def _record(self, record: SQSRecord) -> None:
        message = TimerMessage.model_validate_json(record.body)  # poison fails here, before any write
        logger.append_keys(timer=message.timer, timer_kind=message.kind)
        self._on_timer(message)

    def _lambda_handler(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        from aws_lambda_powertools.utilities.batch import process_partial_response  # noqa: PLC0415

        response = process_partial_response(
            event=event, record_handler=self._record, processor=self._processor, context=context
        )
        return dict(response)
