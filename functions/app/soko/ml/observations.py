"""Completed orders become price observations (the price layer learns from real trades).

The crop is normalised, the order's district mapped to the nearest market, and a price more than
3 standard deviations from the mean of the pair's last 30 accepted observations is kept with
status ``rejected`` (never silently dropped, never used). Writing is idempotent on the order.
"""

from __future__ import annotations

import statistics
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from soko.ml import crops, markets
from soko.ml.ingest import Observation
from soko.shared import dynamo

WINDOW = 30
MIN_HISTORY = 5
SIGMAS = 3.0


class Completed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    order_id: str
    crop: str
    district: str
    price_per_kg_ugx: int
    completed_at: str


def judge(price: float, history: list[float]) -> tuple[str, str | None]:
    """accepted, or rejected with the reason, against the rolling window's mean and deviation."""
    if len(history) < MIN_HISTORY:
        return "accepted", None
    mean, deviation = statistics.fmean(history), statistics.pstdev(history)
    if deviation > 0 and abs(price - mean) > SIGMAS * deviation:
        return (
            "rejected",
            f"{price:.0f} is more than {SIGMAS:g} sd from the mean {mean:.0f} of the last {len(history)}",
        )
    return "accepted", None


def record(detail: dict[str, Any], table_name: str) -> str | None:
    """Store the observation; returns its status, or None when the crop is not a forecast crop."""
    order = Completed.model_validate(detail)
    crop = crops.find(order.crop)
    if crop is None:
        return None
    market = markets.for_district(order.district).id
    table = dynamo.table(table_name)
    recent = table.query(
        KeyConditionExpression="pk = :pk",
        FilterExpression="#s = :ok",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":pk": f"OBS#{market}#{crop}", ":ok": "accepted"},
        ScanIndexForward=False,
        Limit=WINDOW * 2,
    ).get("Items", [])[:WINDOW]
    status, reason = judge(float(order.price_per_kg_ugx), [float(i["price"]) for i in recent])
    observation = Observation(
        market=market,
        crop=crop,
        day=date.fromisoformat(order.completed_at[:10]),
        price=Decimal(order.price_per_kg_ugx),
        source="order",
        pricetype="trade",
    )
    item = {
        **observation.item(),
        "sk": f"{observation.day.isoformat()}#order#{order.order_id}",
        "status": status,
        "order_id": order.order_id,
        "reason": reason,
    }
    try:
        table.put_item(
            Item={k: v for k, v in item.items() if v is not None},
            ConditionExpression="attribute_not_exists(pk)",
        )
    except Exception as err:
        if dynamo.error_code(err) == "ConditionalCheckFailedException":
            return status  # already recorded (a redelivery)
        raise
    if status == "accepted":
        table.update_item(
            Key={"pk": "COVERAGE", "sk": f"{crop}#{market}"},
            UpdateExpression="ADD order_count :one SET crop = :crop, market = :market",
            ExpressionAttributeValues={":one": 1, ":crop": crop, ":market": market},
        )
    return status
