"""The market's consumer of cooperatives' and groups' events (issue 18), against moto, through
MarketAggregationConsumerFunction: pooled listings (``PoolPublished`` once, ``CommitmentPooled``
once per event id, retried before its listing exists), orders of a pooled listing carrying
``coop_id``; group orders (``GroupCompleted``: one confirmed order per member at the group's price,
all or none, ``GroupOrdersRefused`` once; redelivery creates nothing twice; the unpaid timer at
``pay_by``; an unpaid member's order expires with ``group_id`` and its stock returns) and
``GroupRepriced`` (unpaid orders only; paid orders and attempts in flight keep their price)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from market_support import Market, MarketTable

from soko.market.aggregation import group_order_id
from soko.shared import crops, ids
from soko_local.provision import Deployment
from support.events import eventbridge_event, from_outbox, sqs_event
from support.gateway import Api
from support.lambda_env import REGION, Invoke
from support.users import User, new_user

ROOT = Path(__file__).resolve().parents[3]
TIERS = [{"min_kg": "1000", "discount_percent": 5}, {"min_kg": "2000", "discount_percent": 10}]
PAY_BY = "2030-01-10T12:00:00Z"


def deliver(invoke: Invoke, source: str, detail_type: str, detail: dict[str, Any]) -> Any:
    event = eventbridge_event(source, detail_type, detail)
    return invoke("MarketAggregationConsumerFunction", sqs_event(event))


def envelope(event_id: str | None = None) -> dict[str, Any]:
    return {"event_id": event_id or str(uuid.uuid4()), "occurred_at": "2026-12-03T07:00:00Z"}


def pool(invoke: Invoke, manager: User, listing_id: str, grams: int, **extra: Any) -> Any:
    detail = {
        **envelope(extra.pop("event_id", None)),
        "coop_id": "COOP1",
        "listing_id": listing_id,
        "manager_id": manager.id,
        "crop": "beans",
        "title": "Lira coop beans",
        "district": "Lira",
        "price_per_kg": 3000,
        "price_tiers": TIERS,
        "quantity_g": grams,
        **extra,
    }
    return deliver(invoke, "soko.coops", "PoolPublished", detail)


def commitment(invoke: Invoke, listing_id: str, grams: int, event_id: str | None = None) -> Any:
    detail = {
        **envelope(event_id),
        "coop_id": "COOP1",
        "listing_id": listing_id,
        "commitment_id": ids.ulid(),
        "member_id": ids.ulid(),
        "grams": grams,
    }
    return deliver(invoke, "soko.coops", "CommitmentPooled", detail)


def completed(
    invoke: Invoke, listing: dict[str, Any], members: list[tuple[User, int]], group_id: str, **extra: Any
) -> Any:
    detail = {
        **envelope(extra.pop("event_id", None)),
        "group_id": group_id,
        "listing_id": listing["id"],
        "farmer_id": listing["farmer_id"],
        "price_per_kg": 1900,
        "discount_percent": 5,
        "pay_by": PAY_BY,
        "members": [{"buyer_id": u.id, "grams": g} for u, g in members],
        **extra,
    }
    return deliver(invoke, "soko.groups", "GroupCompleted", detail)


def repriced(invoke: Invoke, listing: dict[str, Any], group_id: str, price: int, discount: int) -> Any:
    detail = {
        **envelope(),
        "group_id": group_id,
        "listing_id": listing["id"],
        "price_per_kg": price,
        "discount_percent": discount,
    }
    return deliver(invoke, "soko.groups", "GroupRepriced", detail)


OK: dict[str, list[Any]] = {"batchItemFailures": []}


# ---------------------------------------------------------------------------- pooled listings
def test_a_pool_becomes_a_listing_once_and_its_orders_carry_the_coop(
    api: Api, invoke: Invoke, market: Market, market_table: MarketTable, buyer: User
) -> None:
    manager = new_user("farmer")
    listing_id = ids.ulid()
    assert pool(invoke, manager, listing_id, 2_000_000) == OK
    assert pool(invoke, manager, listing_id, 9_000_000, title="again") == OK  # another event, same pool
    listing = api.get(f"/listings/{listing_id}").expect(200).json
    assert (listing["coop_id"], listing["farmer_id"], listing["quantity_kg"]) == (
        "COOP1",
        manager.id,
        "2000.000",
    )
    beans = crops.find("beans")  # a name in the event is stored as its catalogue id
    assert beans is not None
    assert (listing["crop"], listing["title"], listing["status"]) == (beans.id, "Lira coop beans", "active")
    assert listing["price_tiers"] == TIERS
    assert len(market_table.outbox_details("ListingCreated")) == 1
    (browsed,) = api.get("/listings/", query={"crop": "beans"}).expect(200).json["items"]
    assert browsed["id"] == listing_id

    order = market.order(buyer, listing_id, "1000")  # reaches the 1 t tier: 3000 less 5%
    assert (order["coop_id"], order["price_per_kg"], order["total_ugx"]) == ("COOP1", 2850, 2_850_000)
    market.move(order["id"], manager, "confirmed").expect(200)  # the manager confirms, like any farmer
    (placed,) = market_table.outbox_details("OrderPlaced")
    (confirmed,) = market_table.outbox_details("OrderConfirmed")
    assert placed["coop_id"] == confirmed["coop_id"] == "COOP1"
    assert confirmed["group_id"] is None


def test_the_manager_may_not_edit_a_pooled_listings_stock(
    api: Api, invoke: Invoke, market_table: MarketTable
) -> None:
    manager = new_user("farmer")
    listing_id = ids.ulid()
    pool(invoke, manager, listing_id, 1_000_000)
    with market_table.unchanged():
        api.put(f"/listings/{listing_id}", {"quantity_kg": "5000"}, user=manager).expect(409, "POOLED_STOCK")
    changed = api.put(f"/listings/{listing_id}", {"price_per_kg": 3100}, user=manager).expect(200).json
    assert (changed["price_per_kg"], changed["quantity_kg"]) == (3100, "1000.000")


def test_a_pooled_commitment_adds_its_grams_once_per_event(invoke: Invoke, market_table: MarketTable) -> None:
    manager = new_user("farmer")
    listing_id = ids.ulid()
    pool(invoke, manager, listing_id, 1_000_000)
    event_id = str(uuid.uuid4())
    assert commitment(invoke, listing_id, 250_500, event_id) == OK
    assert commitment(invoke, listing_id, 250_500, event_id) == OK  # redelivered: nothing more
    assert market_table.grams(listing_id) == 1_250_500
    assert commitment(invoke, listing_id, 1_000) == OK
    assert market_table.grams(listing_id) == 1_251_500
    updated = market_table.outbox_details("ListingUpdated")
    assert [u["quantity_kg"] for u in updated] == ["1250.500", "1251.500"]


def test_a_commitment_for_a_pool_not_listed_yet_is_retried(invoke: Invoke, market_table: MarketTable) -> None:
    listing_id = ids.ulid()
    event_id = str(uuid.uuid4())
    with pytest.raises(BatchProcessingError):  # the whole batch failed: SQS redelivers it
        commitment(invoke, listing_id, 5_000, event_id)
    pool(invoke, new_user("farmer"), listing_id, 1_000)
    assert commitment(invoke, listing_id, 5_000, event_id) == OK  # the redelivery applies it
    assert market_table.grams(listing_id) == 6_000


def test_a_commitment_never_adds_to_a_listing_of_another_coop_or_none(
    invoke: Invoke, market: Market, market_table: MarketTable, farmer: User
) -> None:
    plain = market.listing(farmer, kg="10")
    with market_table.unchanged(), pytest.raises(BatchProcessingError):
        commitment(invoke, plain["id"], 5_000)


# ---------------------------------------------------------------------------- group orders
@pytest.fixture
def group_listing(market: Market, farmer: User) -> dict[str, Any]:
    return market.listing(farmer, crop="beans", price=2000, kg="3000", price_tiers=TIERS)


def test_a_completed_group_gets_one_confirmed_order_per_member_at_its_price(
    api: Api,
    invoke: Invoke,
    deployment: Deployment,
    market_table: MarketTable,
    group_listing: dict[str, Any],
) -> None:
    members = [(new_user("buyer"), 600_000), (new_user("buyer"), 400_250), (new_user("buyer"), 999)]
    group_id = ids.ulid()
    assert completed(invoke, group_listing, members, group_id) == OK
    assert market_table.grams(group_listing["id"]) == 3_000_000 - 1_001_249
    for user, grams in members:
        order_id = group_order_id(group_id, user.id)
        assert ids.is_ulid(order_id)
        order = api.get(f"/orders/{order_id}", user=user).expect(200).json
        assert (order["status"], order["payment_status"], order["group_id"]) == (
            "confirmed",
            "unpaid",
            group_id,
        )
        assert (order["price_per_kg"], order["discount_percent"]) == (1900, 5)
        assert order["total_ugx"] == (1900 * grams + 500) // 1000
        assert order["buyer_id"] == user.id and order["farmer_id"] == group_listing["farmer_id"]
        (page,) = [api.get("/orders/", user=user).expect(200).json["items"]]
        assert [o["id"] for o in page] == [order_id]
    assert len(market_table.outbox_details("OrderConfirmed")) == 3
    assert {e["group_id"] for e in market_table.outbox_details("OrderConfirmed")} == {group_id}

    # redelivered (a new event id, the same group): nothing twice
    with market_table.unchanged():
        assert completed(invoke, group_listing, members, group_id) == OK

    # the market's unpaid timer of each order is set at the group's pay_by
    for item in market_table.outbox("OrderConfirmed"):
        assert invoke("MarketOrderEventsConsumerFunction", sqs_event(from_outbox(item))) == OK
    scheduler = boto3.client("scheduler", region_name=REGION)
    for user, _ in members:
        found = scheduler.get_schedule(
            GroupName=deployment.schedule_groups["OrderTimerGroup"],
            Name=f"order.{group_order_id(group_id, user.id)}.expire-unpaid",
        )
        assert found["ScheduleExpression"] == f"at({PAY_BY[:-1]})"


def test_a_group_the_listing_cannot_supply_gets_no_order_and_is_refused_once(
    invoke: Invoke, market_table: MarketTable, group_listing: dict[str, Any]
) -> None:
    members = [(new_user("buyer"), 2_000_000), (new_user("buyer"), 1_000_001)]  # 1 g too many
    group_id = ids.ulid()
    before = market_table.grams(group_listing["id"])
    assert completed(invoke, group_listing, members, group_id) == OK
    assert completed(invoke, group_listing, members, group_id) == OK  # redelivered
    assert market_table.grams(group_listing["id"]) == before
    assert not market_table.with_prefix("ORDER#")
    (refused,) = market_table.outbox_details("GroupOrdersRefused")
    assert refused["group_id"] == group_id and refused["listing_id"] == group_listing["id"]
    assert refused["reason"] == "insufficient_stock"


def test_a_group_on_a_deleted_listing_is_refused(
    api: Api, invoke: Invoke, market_table: MarketTable, group_listing: dict[str, Any], farmer: User
) -> None:
    api.delete(f"/listings/{group_listing['id']}", user=farmer).expect(204)
    assert completed(invoke, group_listing, [(new_user("buyer"), 1_000)], ids.ulid()) == OK
    (refused,) = market_table.outbox_details("GroupOrdersRefused")
    assert refused["reason"] == "unavailable"
    assert not market_table.with_prefix("ORDER#")


def test_an_unpaid_member_drops_out_with_the_group_on_the_event_and_the_stock_back(
    api: Api,
    invoke: Invoke,
    deployment: Deployment,
    market: Market,
    market_table: MarketTable,
    group_listing: dict[str, Any],
) -> None:
    payer, idler = new_user("buyer"), new_user("buyer")
    group_id = ids.ulid()
    completed(invoke, group_listing, [(payer, 1_000_000), (idler, 500_000)], group_id)
    for item in market_table.outbox("OrderConfirmed"):
        invoke("MarketOrderEventsConsumerFunction", sqs_event(from_outbox(item)))
    market.pay(group_order_id(group_id, payer.id))
    scheduler = boto3.client("scheduler", region_name=REGION)
    group = deployment.schedule_groups["OrderTimerGroup"]
    for user in (payer, idler):
        name = f"order.{group_order_id(group_id, user.id)}.expire-unpaid"
        body = scheduler.get_schedule(GroupName=group, Name=name)["Target"]["Input"]
        record = {**sqs_event({})["Records"][0], "body": body}
        assert invoke("OrderTimersConsumerFunction", {"Records": [record]}) == OK
    assert api.get(f"/orders/{group_order_id(group_id, payer.id)}", user=payer).expect(200).json[
        "status"
    ] == ("confirmed")
    dropped = api.get(f"/orders/{group_order_id(group_id, idler.id)}", user=idler).expect(200).json
    assert (dropped["status"], dropped["expired_reason"]) == ("expired", "unpaid")
    (expired,) = market_table.outbox_details("OrderExpired")
    assert expired["group_id"] == group_id and expired["buyer_id"] == idler.id
    assert market_table.grams(group_listing["id"]) == 3_000_000 - 1_000_000


def seed_attempt(deployment: Deployment, order_id: str, status: str) -> None:
    """A payment attempt of the order, as payments stores it (its table is payments'; this test only
    arranges what the market's read of it sees)."""
    table = boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["PaymentsTable"])
    payment_id = ids.ulid()
    table.put_item(
        Item={"pk": f"ORDER#{order_id}", "sk": "ATTEMPT", "payment_id": payment_id, "state": status}
    )
    table.put_item(
        Item={
            "pk": f"PAYMENT#{payment_id}",
            "sk": "PAYMENT",
            "id": payment_id,
            "order_id": order_id,
            "status": status,
            "amount_ugx": 1,
            "history": [],
        }
    )


def test_a_repriced_group_changes_only_the_orders_still_unpaid_and_not_in_flight(
    api: Api,
    invoke: Invoke,
    deployment: Deployment,
    market: Market,
    market_table: MarketTable,
    group_listing: dict[str, Any],
) -> None:
    paid, paying, failed, idle = (new_user("buyer") for _ in range(4))
    group_id = ids.ulid()
    grams = {paid.id: 500_000, paying.id: 500_000, failed.id: 300_000, idle.id: 700_001}
    completed(invoke, group_listing, [(u, grams[u.id]) for u in (paid, paying, failed, idle)], group_id)
    market.pay(group_order_id(group_id, paid.id))
    seed_attempt(deployment, group_order_id(group_id, paying.id), "pending")
    seed_attempt(deployment, group_order_id(group_id, failed.id), "failed")

    assert repriced(invoke, group_listing, group_id, 1950, 2) == OK

    def seen(user: User) -> tuple[int, int, int]:
        order = api.get(f"/orders/{group_order_id(group_id, user.id)}", user=user).expect(200).json
        return order["price_per_kg"], order["discount_percent"], order["total_ugx"]

    assert seen(paid) == (1900, 5, 950_000)  # paid: keeps its price
    assert seen(paying) == (1900, 5, 950_000)  # an attempt in flight: keeps its price
    assert seen(failed) == (1950, 2, 585_000)
    assert seen(idle) == (1950, 2, (1950 * 700_001 + 500) // 1000)
    with market_table.unchanged():  # the same price again changes nothing
        assert repriced(invoke, group_listing, group_id, 1950, 2) == OK


def test_a_malformed_event_fails_its_record_and_changes_nothing(
    invoke: Invoke, market_table: MarketTable, group_listing: dict[str, Any]
) -> None:
    bad = eventbridge_event("soko.groups", "GroupCompleted", {**envelope(), "group_id": ids.ulid()})
    good = eventbridge_event(
        "soko.groups",
        "GroupRepriced",
        {**envelope(), "group_id": "G", "listing_id": "L", "price_per_kg": 1, "discount_percent": 1},
    )
    with market_table.unchanged():
        result = invoke("MarketAggregationConsumerFunction", sqs_event(bad, good))
    assert len(result["batchItemFailures"]) == 1


def test_the_sample_event_creates_its_pooled_listing(invoke: Invoke, market_table: MarketTable) -> None:
    sample = json.loads((ROOT / "events" / "MarketAggregationConsumerFunction.json").read_text())
    assert invoke("MarketAggregationConsumerFunction", sample) == OK
    assert market_table.listing("01JD00000000000000000000L1")["coop_id"] == "01JD00000000000000000000C1"


def test_a_reprice_of_an_unknown_or_refused_group_changes_nothing(
    invoke: Invoke, market_table: MarketTable, group_listing: dict[str, Any]
) -> None:
    with market_table.unchanged():
        assert repriced(invoke, group_listing, ids.ulid(), 1950, 2) == OK
