"""DynamoDB helpers shared by the data-access modules of every domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from soko.shared import aws, cursor, outbox
from soko.shared.errors import Conflict, DependencyUnavailable
from soko.shared.events import EventDetail

if TYPE_CHECKING:
    from botocore.exceptions import ClientError as ClientError  # noqa: PLC0414  (re-exported lazily: __getattr__)

CONDITION_FAILED = "ConditionalCheckFailedException"

_THROTTLED = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
}


class Page(BaseModel):
    """One page of a list: raw items and the cursor of the next page (None on the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


def table(name: str) -> Any:
    """The boto3 Table resource for ``name`` (the resource is created once per process)."""
    return aws.resource("dynamodb").Table(name)


def error_code(err: Exception) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    response = getattr(err, "response", None)
    if not isinstance(response, Mapping):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def raise_if_throttled(err: Exception) -> None:
    if error_code(err) in _THROTTLED:
        raise DependencyUnavailable("The database is busy; please retry shortly.") from err


def query_page(
    tbl: Any,
    *,
    scope: str,
    key_names: frozenset[str],
    limit: int,
    cursor_token: str | None,
    numeric_keys: frozenset[str] | None = None,
    **query: Any,
) -> Page:
    """Run one ``Query`` page. ``key_names`` are the table and index key attributes of the query,
    which a cursor must hold exactly; ``scope`` names the list (including its filters)."""
    if cursor_token:
        query["ExclusiveStartKey"] = cursor.decode(
            cursor_token, scope=scope, key_names=key_names, numeric_keys=numeric_keys
        )
    try:
        response = tbl.query(Limit=limit, **query)
    except Exception as err:
        raise_for_cursor(err, cursor_token)
        raise
    last = response.get("LastEvaluatedKey")
    return Page(
        items=response.get("Items", []),
        next_cursor=cursor.encode(last, scope=scope) if last else None,
    )


def raise_for_cursor(err: Exception, cursor_token: str | None) -> None:
    """A start key DynamoDB refuses (wrong types, another partition) came from a doctored cursor."""
    if cursor_token and error_code(err) == "ValidationException":
        raise cursor.InvalidCursor(
            "The cursor is not valid for this list. Start again without a cursor.",
            details={"field": "cursor"},
        ) from None


def storable(value: Any) -> Any:
    """Floats as Decimals, recursively (boto3 refuses floats)."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def serialize(item: dict[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB's low-level form (for TransactWriteItems); None values are left out."""
    from boto3.dynamodb.types import TypeSerializer  # noqa: PLC0415

    serializer = TypeSerializer()
    return {k: serializer.serialize(storable(v)) for k, v in item.items() if v is not None}


class TransactionConflict(Conflict):
    code = "CONCURRENT_UPDATE"


def transact(items: list[dict[str, Any]]) -> list[str | None]:
    """Run a transaction: [] when it committed, else each item's cancellation code (None where it
    did not fail). A conflict with another transaction, and no failed condition, is a 409."""
    try:
        aws.client("dynamodb").transact_write_items(TransactItems=items)
        return []
    except Exception as err:
        if error_code(err) != "TransactionCanceledException":
            raise_if_throttled(err)
            raise
        reasons = getattr(err, "response", {}).get("CancellationReasons", [])
        codes = [None if r.get("Code") in (None, "None") else r.get("Code") for r in reasons]
        if "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes:
            raise TransactionConflict("Someone changed this at the same moment; try again.") from None
        return codes


def plain(value: Any) -> Any:
    """Turn DynamoDB's Decimals into int/float recursively (for JSON and pydantic)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [plain(v) for v in value]
    return value


def filtered_page(
    tbl: Any,
    request: dict[str, Any],
    *,
    key_names: frozenset[str],
    limit: int,
    cursor_token: str | None,
    scope: str,
    max_reads: int = 10,
) -> Page:
    """Up to ``limit`` items of a Query whose ``FilterExpression`` may drop some: reads on (at most
    ``max_reads`` pages) until the page is full, and the cursor points just after the last item
    returned, so a page never skips the gap a filter left. ``key_names``: the table and index key
    attributes (all strings) that a cursor holds."""
    start = (
        cursor.decode(cursor_token, scope=scope, key_names=key_names, numeric_keys=frozenset())
        if cursor_token
        else None
    )
    items: list[dict[str, Any]] = []
    for _ in range(max_reads):
        try:
            page = tbl.query(
                **request, Limit=max(limit * 2, 25), **({"ExclusiveStartKey": start} if start else {})
            )
        except Exception as err:
            raise_for_cursor(err, cursor_token)
            raise_if_throttled(err)
            raise
        for item in page.get("Items", []):
            items.append(item)
            if len(items) == limit:
                last = {name: item[name] for name in key_names}
                return Page(items=items, next_cursor=cursor.encode(last, scope=scope))
        start = page.get("LastEvaluatedKey")
        if not start:
            return Page(items=items, next_cursor=None)
    return Page(items=items, next_cursor=cursor.encode(start, scope=scope) if start else None)


def read_all_pages(tbl: Any, **query: Any) -> Iterator[dict[str, Any]]:
    """Every item a ``Query`` matches, page after page (Decimals made plain; see :func:`plain`)."""
    while True:
        response = tbl.query(**query)
        yield from (plain(item) for item in response.get("Items", []))
        start = response.get("LastEvaluatedKey")
        if not start:
            return
        query = {**query, "ExclusiveStartKey": start}


def unless_condition_failed[T](write: Callable[[], T]) -> T | None:
    """Run one conditional write: its answer, or None when its condition failed (any other error
    is raised)."""
    try:
        return write()
    except Exception as err:
        if error_code(err) != CONDITION_FAILED:
            raise
        return None


def applied(write: Callable[[], object]) -> bool:
    """Run one conditional write: True when it was applied, False when its condition failed."""
    return unless_condition_failed(lambda: write() or True) is not None


class TableDal:
    """Base of a domain's data access to its one table: the table, consistent reads by key, and
    the items of a ``TransactWriteItems`` (low-level form) including the outbox's."""

    def __init__(self, table_name: str):
        self.table_name = table_name

    @property
    def _table(self) -> Any:
        return table(self.table_name)

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        return dict(plain(item)) if item else None

    def _put(self, item: dict[str, Any], condition: str | None = None, **values: Any) -> dict[str, Any]:
        """A transaction ``Put``; ``values`` fill the condition's ``:name`` placeholders."""
        put: dict[str, Any] = {"TableName": self.table_name, "Item": serialize(item)}
        if condition:
            put["ConditionExpression"] = condition
        if values:
            put["ExpressionAttributeValues"] = serialize(
                {f":{name}": value for name, value in values.items()}
            )
        return {"Put": put}

    def _put_new(self, item: dict[str, Any]) -> dict[str, Any]:
        """A transaction ``Put`` that fails if the item exists."""
        return self._put(item, "attribute_not_exists(pk)")

    def _update(
        self,
        key: dict[str, Any],
        expression: str,
        *,
        condition: str | None = None,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A transaction ``Update`` of ``key`` (``values`` in the resource-style form)."""
        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": serialize(key),
            "UpdateExpression": expression,
        }
        if condition:
            update["ConditionExpression"] = condition
        if names:
            update["ExpressionAttributeNames"] = names
        if values:
            update["ExpressionAttributeValues"] = serialize(values)
        return {"Update": update}

    def _delete(self, key: dict[str, Any], **condition: Any) -> dict[str, Any]:
        return {"Delete": {"TableName": self.table_name, "Key": serialize(key), **condition}}

    def _outbox(self, events: Iterable[EventDetail]) -> list[dict[str, Any]]:
        return outbox.puts(self.table_name, events)

    def _put_if(self, item: dict[str, Any], condition: str, **values: Any) -> bool:
        """Put ``item`` if ``condition`` holds (``values`` fill its ``:name`` placeholders); False
        when it does not."""
        request: dict[str, Any] = {"Item": item, "ConditionExpression": condition}
        if values:
            request["ExpressionAttributeValues"] = {f":{name}": value for name, value in values.items()}
        return applied(lambda: self._table.put_item(**request))

    def _update_if(
        self,
        key: dict[str, Any],
        expression: str,
        *,
        condition: str,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> bool:
        """Update ``key`` if ``condition`` holds; False when it does not."""
        request: dict[str, Any] = {
            "Key": key,
            "UpdateExpression": expression,
            "ConditionExpression": condition,
        }
        if names:
            request["ExpressionAttributeNames"] = names
        if values:
            request["ExpressionAttributeValues"] = values
        return applied(lambda: self._table.update_item(**request))

    def _count_if(self, key: dict[str, Any], counter: str, *, condition: str, **values: Any) -> int | None:
        """Add one to ``counter`` of ``key`` if ``condition`` holds (``values`` fill its ``:name``
        placeholders; it may name the counter ``#counter``): the counter's new value, or None when
        the condition does not hold."""
        response = unless_condition_failed(
            lambda: self._table.update_item(
                Key=key,
                UpdateExpression="ADD #counter :one",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#counter": counter},
                ExpressionAttributeValues={":one": 1, **{f":{name}": v for name, v in values.items()}},
                ReturnValues="UPDATED_NEW",
            )
        )
        return None if response is None else int(response["Attributes"][counter])


def key(name: str) -> Any:
    """``boto3.dynamodb.conditions.Key(name)`` for a KeyConditionExpression, importing boto3 on
    the path that queries instead of at module import (boto3 costs about 70 ms of a cold start)."""
    from boto3.dynamodb.conditions import Key  # noqa: PLC0415

    return Key(name)


def __getattr__(name: str) -> Any:
    """``dynamo.ClientError`` is botocore's, imported when first looked up: in
    ``except dynamo.ClientError:`` that is only when something was raised, so a module that
    catches it does not import botocore (and its vendored urllib3, about 30 ms) at import."""
    if name == "ClientError":
        from botocore.exceptions import ClientError  # noqa: PLC0415

        return ClientError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
