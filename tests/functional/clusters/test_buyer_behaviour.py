"""The buyer-behaviour projection: OrderPlaced/OrderCompleted -> each buyer's behaviour in
GroupsTable, counted once per order whatever the redelivery or the events' order, listed for
training by one Query."""

from __future__ import annotations

import uuid
from typing import Any

from soko.groups.dal_clusters import ClustersDal
from support.events import eventbridge_event, order_detail, sqs_event
from support.tables import Table

CONSUMER = "BuyerBehaviourConsumerFunction"


def _id(name: str) -> str:
    """A unique event id (the idempotency table outlives a test in this module)."""
    return f"{name}-{uuid.uuid4().hex}"


def _event(kind: str, order_id: str, event_id: str, **fields: Any) -> dict[str, Any]:
    detail = order_detail(order_id, buyer_id="B1", event_id=event_id, **fields)
    if kind == "OrderCompleted":
        detail["completed_at"] = "2026-11-21T09:30:00Z"
    return eventbridge_event("soko.orders", kind, detail)


def test_an_order_is_counted_once_and_completed_once(
    invoke: Any, dal: ClustersDal, groups_table: Table
) -> None:
    placed = _event(
        "OrderPlaced", "O1", _id("E1"), crop="yellow_beans", district="Lira", quantity_kg="250.000"
    )
    again = {**placed, "id": "another-delivery"}  # EventBridge redelivers: same detail.event_id
    republished = _event(
        "OrderPlaced", "O1", _id("E1b"), crop="yellow_beans", district="Lira", quantity_kg="250.000"
    )
    assert invoke(CONSUMER, sqs_event(placed, again))["batchItemFailures"] == []
    assert invoke(CONSUMER, sqs_event(republished))["batchItemFailures"] == []  # a new event id, same order
    done = _event(
        "OrderCompleted", "O1", _id("E2"), crop="yellow_beans", district="Lira", quantity_kg="250.000"
    )
    assert (
        invoke(CONSUMER, sqs_event(done, _event("OrderCompleted", "O1", _id("E2b"))))["batchItemFailures"]
        == []
    )

    b = dal.behaviour("B1")
    assert b is not None
    assert (b.orders, b.completed, b.grams) == (1, 1, 250_000)
    assert b.crop_grams == {"yellow_beans": 250_000} and b.district_orders == {"Lira": 1}
    assert b.days == ["2026-11-21"] and b.main_district == "Lira"
    assert {i["sk"] for i in groups_table.partition("BUYER#B1")} == {"BEHAVIOUR", "ORDER#O1"}


def test_a_completion_seen_first_counts_the_order_and_the_placing_does_not_again(
    invoke: Any, dal: ClustersDal
) -> None:
    first = _event(
        "OrderCompleted", "O7", _id("E7"), crop="maize_grain", district="Mbale", quantity_kg="1000.500"
    )
    later = _event(
        "OrderPlaced", "O7", _id("E8"), crop="maize_grain", district="Mbale", quantity_kg="1000.500"
    )
    other = _event("OrderPlaced", "O8", _id("E9"), crop="matoke", district="Kampala", quantity_kg="20.000")
    assert invoke(CONSUMER, sqs_event(first, later, other))["batchItemFailures"] == []
    b = dal.behaviour("B1")
    assert b is not None
    assert (b.orders, b.completed, b.grams) == (2, 1, 1_020_500)
    assert b.crop_grams == {"maize_grain": 1_000_500, "matoke": 20_000}
    assert b.district_orders == {"Mbale": 1, "Kampala": 1}


def test_training_lists_every_buyer_by_query(invoke: Any, dal: ClustersDal) -> None:
    events = [
        eventbridge_event(
            "soko.orders", "OrderPlaced", order_detail(f"O{n}", buyer_id=f"B{n % 3}", event_id=_id(f"E{n}"))
        )
        for n in range(6)
    ]
    events.append(
        eventbridge_event("soko.orders", "OrderConfirmed", order_detail("O9", event_id=_id("E99")))
    )  # not ours
    assert invoke(CONSUMER, sqs_event(*events))["batchItemFailures"] == []
    buyers = {b.buyer_id: b.orders for b in dal.buyers()}
    assert buyers == {"B0": 2, "B1": 2, "B2": 2}
    assert dal.count_buyers() == 3


def test_an_event_that_breaks_the_contract_fails_only_its_record(invoke: Any, dal: ClustersDal) -> None:
    good = _event("OrderPlaced", "O1", _id("E1"))
    bad = eventbridge_event("soko.orders", "OrderPlaced", {"order_id": "O2"})
    result = invoke(CONSUMER, sqs_event(good, bad))
    assert len(result["batchItemFailures"]) == 1
    assert dal.behaviour("B1") is not None
