"""Monthly price series from observations (no pandas: the serving side may import this)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from typing import Any

from soko.shared import dynamo

# The series a pair is forecast on: retail where it exists (it runs to 2025-26), else wholesale,
# then trade prices from orders and synthetic series for pairs with no real data.
PRICETYPE_ORDER = ("retail", "wholesale", "trade", "synthetic")


def month(day: date) -> date:
    return day.replace(day=15)


def observations(table_name: str, market: str, crop: str) -> list[dict[str, Any]]:
    table = dynamo.table(table_name)
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": f"OBS#{market}#{crop}"},
    }
    while True:
        page = table.query(**query)
        items.extend(dynamo.plain(i) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def monthly(items: list[dict[str, Any]]) -> tuple[str, list[tuple[date, float]]]:
    """The pair's monthly series (median per month) of the best price type it has."""
    by_type: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        if item.get("status") != "accepted":
            continue
        kind = "synthetic" if item.get("source") == "synthetic" else str(item.get("pricetype", "retail"))
        by_type[kind][month(date.fromisoformat(str(item["date"])))].append(float(item["price"]))
    for kind in PRICETYPE_ORDER:
        if by_type.get(kind):
            points = sorted((m, statistics.median(v)) for m, v in by_type[kind].items())
            return kind, points
    return "none", []
