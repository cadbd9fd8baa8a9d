"""EventBridge events as a rule delivers them to an SQS queue, in the batch a consumer Lambda gets."""

from __future__ import annotations

import json
import uuid
from typing import Any

from support.lambda_env import ACCOUNT_ID, REGION

EVENT_TIME = "2026-11-21T09:30:00Z"


def eventbridge_event(
    source: str, detail_type: str, detail: Any, *, time: str = EVENT_TIME
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),  # EventBridge's id: new on every delivery (dedup is on detail.event_id)
        "detail-type": detail_type,
        "source": source,
        "time": time,
        "region": REGION,
        "resources": [],
        "detail": detail,
    }


def from_outbox(item: dict[str, Any], *, time: str = EVENT_TIME) -> dict[str, Any]:
    """The event an outbox item becomes once the relay has published it."""
    detail = item["detail"]
    detail = json.loads(detail) if isinstance(detail, str) else json.loads(json.dumps(detail, default=str))
    return eventbridge_event(str(item["source"]), str(item["detail_type"]), detail, time=time)


def sqs_event(*events: dict[str, Any]) -> dict[str, Any]:
    """One SQS record per event, as the queue hands them to its consumer."""
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "x",
                "body": json.dumps(event),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:q",
                "awsRegion": REGION,
            }
            for event in events
        ]
    }


def order_detail(order_id: str, **fields: Any) -> dict[str, Any]:
    """An order event's detail as the marketplace publishes it (its consumers parse the whole
    contract)."""
    return {
        "order_id": order_id,
        "listing_id": "L1",
        "buyer_id": "B1",
        "farmer_id": "F1",
        "crop": "maize_grain",
        "district": "Gulu",
        "quantity_kg": "100.000",
        "price_per_kg_ugx": 1_200,
        "total_ugx": 120_000,
        **fields,
    }
