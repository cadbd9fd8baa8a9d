"""Direct reads of a DynamoDB table: test bookkeeping only (product code never Scans)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from soko.shared import dynamo
from support.lambda_env import REGION


@cache
def dynamodb() -> Any:
    """One boto3 resource for the suites' own reads (creating one costs ~0.1 s)."""
    return boto3.resource("dynamodb", region_name=REGION)


def scan_all(name: str) -> list[dict[str, Any]]:
    """Every item of a table, as DynamoDB returns it (Decimal numbers)."""
    table = dynamodb().Table(name)
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"ConsistentRead": True}
    while True:
        page = table.scan(**kwargs)
        found += page["Items"]
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def empty_table(name: str, key_names: tuple[str, ...] = ("pk", "sk")) -> None:
    keys = [{k: i[k] for k in key_names} for i in scan_all(name)]
    with dynamodb().Table(name).batch_writer() as batch:
        for key in keys:
            batch.delete_item(Key=key)


@dataclass
class Table:
    """A single-table design's items (``pk``/``sk``), plain (ints and floats, not Decimals)."""

    name: str

    @property
    def table(self) -> Any:
        return dynamodb().Table(self.name)

    def items(self) -> list[dict[str, Any]]:
        return [dynamo.plain(i) for i in scan_all(self.name)]

    def item(self, pk: str, sk: str) -> dict[str, Any] | None:
        found = self.table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        return dynamo.plain(found) if found else None

    def partition(self, pk: str) -> list[dict[str, Any]]:
        found = self.table.query(KeyConditionExpression=Key("pk").eq(pk), ConsistentRead=True)
        return [dynamo.plain(i) for i in found["Items"]]

    def with_prefix(self, prefix: str) -> list[dict[str, Any]]:
        return [i for i in self.items() if str(i["pk"]).startswith(prefix)]

    def outbox(self, detail_type: str | None = None) -> list[dict[str, Any]]:
        events = self.with_prefix("OUTBOX#")
        return [e for e in events if detail_type is None or e["detail_type"] == detail_type]

    def outbox_details(self, detail_type: str) -> list[dict[str, Any]]:
        return [json.loads(e["detail"]) for e in self.outbox(detail_type)]

    def snapshot(self) -> list[dict[str, Any]]:
        return sorted(self.items(), key=lambda i: (str(i["pk"]), str(i["sk"])))

    @contextmanager
    def unchanged(self) -> Iterator[None]:
        """Asserts the block leaves the table exactly as it found it (a refused write writes nothing)."""
        before = self.snapshot()
        yield
        after = self.snapshot()
        added = [i for i in after if i not in before]
        removed = [i for i in before if i not in after]
        assert (added, removed) == ([], []), f"the table changed: added {added}, removed {removed}"
