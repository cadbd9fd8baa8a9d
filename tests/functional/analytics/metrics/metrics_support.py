"""Helpers of the metrics functional tests (fixtures: ``conftest.py``): builders of the events the
counters consumer takes, from their producers' contracts, and their delivery to the consumer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from soko.market import events as market_events
from soko.payments.events import PaymentCompleted, PaymentExpired, PaymentFailed
from soko.shared.events import EventDetail
from support.events import eventbridge_event, sqs_event
from support.lambda_env import Invoke


class Operations(list[str]):
    def record(self, name: str) -> None:
        self.append(name)


def envelope(detail: EventDetail, at: datetime) -> dict[str, Any]:
    """``detail`` as EventBridge delivers it at ``at`` (aware; a new EventBridge id every delivery)."""
    time = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return eventbridge_event(detail.SOURCE, detail.DETAIL_TYPE, detail.model_dump(mode="json"), time=time)


def feed(invoke: Invoke, events: list[dict[str, Any]], batch: int = 10) -> list[str]:
    """Deliver ``events`` to the counters consumer in SQS batches: the failed records' ids."""
    failed: list[str] = []
    for start in range(0, len(events), batch):
        answer = invoke("AnalyticsCountersFunction", sqs_event(*events[start : start + batch]))
        failed += [f["itemIdentifier"] for f in answer["batchItemFailures"]]
    return failed


def order(order_id: str, kind: type[market_events.OrderDetail], **fields: Any) -> market_events.OrderDetail:
    base: dict[str, Any] = {
        "order_id": order_id,
        "listing_id": "L-" + order_id,
        "buyer_id": "B1",
        "farmer_id": "F1",
        "crop": "maize_grain",
        "district": "Gulu",
        "quantity_kg": "100.000",
        "price_per_kg_ugx": 1_200,
        "total_ugx": 120_000,
    }
    base.update(fields)
    extra: dict[str, Any] = {}
    if kind is market_events.OrderCompleted:
        extra = {"completed_at": "2026-11-21T09:30:00Z"}
    elif kind is market_events.OrderExpired:
        extra = {"reason": "unpaid"}
    elif kind is market_events.OrderDisputed:
        extra = {
            "dispute_id": "D-" + order_id,
            "reason": "quality",
            "details": "wet",
            "opened_at": "2026-11-21T09:30:00Z",
        }
    return kind(**base, **extra)


def payment(kind: type[Any], order_id: str, amount: int, fare: int = 0, **fields: Any) -> EventDetail:
    base: dict[str, Any] = {
        "payment_id": "P-" + order_id,
        "order_id": order_id,
        "buyer_id": fields.pop("buyer_id", "B1"),
        "farmer_id": fields.pop("farmer_id", "F1"),
        "amount_ugx": amount,
        "currency": "UGX",
        "provider": "pesapal",
        "fare_ugx": fare,
    }
    if kind is PaymentCompleted:
        base["confirmation_code"] = "X1"
    elif kind is PaymentFailed:
        base["reason"] = "declined"
    elif kind is PaymentExpired:
        base["expired_at"] = "2026-11-21T09:30:00Z"
    return kind(**base, **fields)  # type: ignore[no-any-return]
