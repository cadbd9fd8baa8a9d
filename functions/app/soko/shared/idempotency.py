"""Idempotent writes over HTTP: the ``Idempotency-Key`` header.

The same caller sending the same key with the same body gets the first result again (and no
second write); the same key with another body is a 422. A failed attempt leaves no record, so the
client may retry it. Records live in the idempotency table for 24 hours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from soko.shared import aws
from soko.shared.config import BaseConfig, load
from soko.shared.http import error_response

KEY_PATTERN = r"^[A-Za-z0-9_\-:.]{8,128}$"
TTL_SECONDS = 24 * 3600


class IdempotentWrite:
    """Wraps ``action(request) -> JSON-able dict`` so it runs once per (caller, key, body)."""

    def __init__(self, name: str, action: Callable[[dict[str, Any]], dict[str, Any]]):
        self.name = name
        self._action = action
        self.config = IdempotencyConfig(
            event_key_jmespath="[caller, key]",
            payload_validation_jmespath="body",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=TTL_SECONDS,
        )
        self._once: Callable[..., dict[str, Any]] | None = None
        self._table = ""

    def __call__(self, *, caller: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        table = load(BaseConfig).idempotency_table_name
        if self._once is None or table != self._table:  # built once per table (per process on Lambda)
            self._table = table
            persistence = DynamoDBPersistenceLayer(table_name=table, boto3_client=aws.client("dynamodb"))
            self._once = idempotent_function(
                data_keyword_argument="request",
                config=self.config,
                persistence_store=persistence,
                key_prefix=f"http.{self.name}",
            )(self._run)
        assert self._once is not None
        return self._once(request={"caller": caller, "key": key, "body": body})

    def _run(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._action(request)


def register_errors(app: APIGatewayHttpResolver) -> None:
    app.exception_handler(IdempotencyValidationError)(
        lambda err: error_response(
            422,
            "IDEMPOTENCY_KEY_REUSED",
            "This Idempotency-Key was already used with a different request body.",
        )
    )
    app.exception_handler(IdempotencyAlreadyInProgressError)(
        lambda err: error_response(
            409, "REQUEST_IN_PROGRESS", "The same request is still being processed; retry shortly."
        )
    )
