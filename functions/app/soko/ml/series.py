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


def monthly_by_kind(items: list[dict[str, Any]]) -> dict[str, list[tuple[date, float]]]:
    """The pair's monthly series (median per month) of every price type it has (accepted only)."""
    by_type: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        if item.get("status") != "accepted":
            continue
        kind = "synthetic" if item.get("source") == "synthetic" else str(item.get("pricetype", "retail"))
        by_type[kind][month(date.fromisoformat(str(item["date"])))].append(float(item["price"]))
    return {
        kind: sorted((m, statistics.median(v)) for m, v in months.items()) for kind, months in by_type.items()
    }


def preferred(kinds: dict[str, Any]) -> str | None:
    """The price type a pair is forecast on."""
    return next((kind for kind in PRICETYPE_ORDER if kinds.get(kind)), None)


def monthly(items: list[dict[str, Any]]) -> tuple[str, list[tuple[date, float]]]:
    """The pair's monthly series of the best price type it has."""
    kinds = monthly_by_kind(items)
    kind = preferred(kinds)
    return (kind, kinds[kind]) if kind else ("none", [])
