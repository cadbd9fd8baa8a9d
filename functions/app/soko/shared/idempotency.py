"""Idempotent writes over HTTP: the ``Idempotency-Key`` header.

The same caller sending the same key with the same body gets the first result again (and no
second write); the same key with another body is a 422. A failed attempt leaves no record, so the
client may retry it. Records live in the idempotency table for 24 hours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header
from pydantic import BaseModel

from soko.shared import aws
from soko.shared.config import IdempotencyTableConfig, load
from soko.shared.errors import Conflict, Unprocessable
from soko.shared.http import JSON, caller, entry, error_responses
from soko.shared.identity import Caller
from soko.shared.observability import Handler

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

KEY_PATTERN = r"^[A-Za-z0-9_\-:.]{8,128}$"
TTL_SECONDS = 24 * 3600
IdempotencyKey = Annotated[str | None, Header(alias="idempotency-key", pattern=KEY_PATTERN)]


class IdempotentWrite:
    """Wraps ``action(request) -> JSON-able dict`` so it runs once per (caller, key, body)."""

    def __init__(self, name: str, action: Callable[[dict[str, Any]], dict[str, Any]]):
        self.name = name
        self._action = action
        self._once: Callable[..., dict[str, Any]] | None = None
        self._table = ""

    # Powertools' idempotency utility imports boto3 (about 70 ms): built when a request carries an
    # Idempotency-Key (that request writes to DynamoDB anyway), not at import.
    @cached_property
    def config(self) -> IdempotencyConfig:
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig  # noqa: PLC0415

        return IdempotencyConfig(
            event_key_jmespath="[caller, key]",
            payload_validation_jmespath="body",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=TTL_SECONDS,
        )

    def register_lambda_context(self, context: Any) -> None:
        """For ``entry(app, on_context=...)``: hands the Lambda context to the idempotency config
        (its remaining time bounds an in-progress record) without building it at import."""
        if context is not None:
            self.config.register_lambda_context(context)

    def __call__(self, *, caller: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        from aws_lambda_powertools.utilities.idempotency import (  # noqa: PLC0415
            DynamoDBPersistenceLayer,
            idempotent_function,
        )
        from aws_lambda_powertools.utilities.idempotency.exceptions import (  # noqa: PLC0415
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        table = load(IdempotencyTableConfig).idempotency_table_name
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
        try:
            return self._once(request={"caller": caller, "key": key, "body": body})
        except IdempotencyValidationError:
            raise Unprocessable(
                "This Idempotency-Key was already used with a different request body.",
                code="IDEMPOTENCY_KEY_REUSED",
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise Conflict(
                "The same request is still being processed; retry shortly.", code="REQUEST_IN_PROGRESS"
            ) from None

    def _run(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._action(request)


def register_errors(app: APIGatewayHttpResolver) -> None:
    """Kept for the routes that call it: :class:`IdempotentWrite` now raises the domain errors
    itself (a reused key is a 422 ``IDEMPOTENCY_KEY_REUSED``, a request still in progress a 409
    ``REQUEST_IN_PROGRESS``), so registering Powertools' exception types (and importing boto3 with
    them) at import is no longer needed."""


class IdempotentCreate[R: BaseModel, M: BaseModel]:
    """A ``POST`` that creates one thing for the caller, with an optional ``Idempotency-Key``
    (201 and the created ``M``; a retry with the same key and body gets the first one again).

    ``create(caller, request)`` is the domain's logic call; a function is then::

        place = IdempotentCreate("place_order", "order", OrderCreate, Order, _place)
        place.route(app, "/orders/", name="create", summary=..., ..., errors=(400, 401, 409))
        lambda_handler = place.lambda_handler(app)
    """

    def __init__(
        self,
        name: str,
        field: str,
        request_type: type[R],
        result_type: type[M],
        create: Callable[[Caller, R], M],
        *,
        exclude_none: bool = False,
    ):
        self._field = field  # the request's name in the stored body (part of the body's hash)
        self._request_type = request_type
        self._result_type = result_type
        self._create = create
        self._exclude_none = exclude_none
        self.once = IdempotentWrite(name, self._replay)

    def _replay(self, request: dict[str, Any]) -> dict[str, Any]:
        caller = Caller.model_validate(request["body"]["caller"])
        created = self._create(caller, self._request_type.model_validate(request["body"][self._field]))
        return created.model_dump(mode="json")

    def respond(self, caller: Caller, request: R, key: str | None) -> Response[str]:
        if key is None:
            created = self._create(caller, request)
        else:
            body = {"caller": caller.model_dump(), self._field: request.model_dump(mode="json")}
            created = self._result_type.model_validate(self.once(caller=caller.user_id, key=key, body=body))
        return Response(201, JSON, created.model_dump_json(exclude_none=self._exclude_none))

    def route(
        self,
        app: APIGatewayHttpResolver,
        path: str,
        *,
        name: str,
        summary: str,
        description: str,
        tags: list[str],
        created: str,
        errors: Sequence[int],
    ) -> None:
        """Declare ``POST path`` on ``app``: the body is the request model, an optional
        ``Idempotency-Key`` header, 201 with the created model. ``name`` is the route function's
        name (the OpenAPI operationId is made from it)."""

        def create(request: Any, idempotency_key: Any = None) -> Response[str]:
            return self.respond(caller(app), request, idempotency_key)

        create.__name__ = create.__qualname__ = name
        create.__annotations__ = {
            "request": self._request_type,
            "idempotency_key": IdempotencyKey,
            "return": Response[str],
        }
        app.post(
            path,
            summary=summary,
            description=description,
            tags=tags,
            responses={
                201: {"description": created, "content": {JSON: {"model": self._result_type}}},
                **error_responses(*errors),
            },
        )(create)

    def lambda_handler(self, app: APIGatewayHttpResolver) -> Handler:
        """The function's entry point: the idempotency errors mapped, the Lambda context registered."""
        register_errors(app)
        return entry(app, on_context=self.once.register_lambda_context)
