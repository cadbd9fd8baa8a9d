"""Events leave through the transactional outbox: every accepted write puts exactly one
``OUTBOX#<event id>`` item of its detail-type in the same transaction, and a refused write puts none."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from market_support import Market, MarketTable

from soko.shared import clock
from support.gateway import Api, Reply
from support.users import User, new_user

LISTING_FIELDS = {
    "listing_id",
    "farmer_id",
    "crop",
    "category",
    "district",
    "price_per_kg_ugx",
    "quantity_kg",
}
ORDER_FIELDS = {
    "order_id",
    "listing_id",
    "buyer_id",
    "farmer_id",
    "crop",
    "district",
    "quantity_kg",
    "price_per_kg_ugx",
    "total_ugx",
}
ENVELOPE = {"schema_version", "event_id", "occurred_at"}


def one_event(
    market_table: MarketTable, action: Callable[[], Any], detail_type: str, source: str
) -> dict[str, Any]:
    """Runs ``action``; checks it left exactly one new outbox item, of ``detail_type``; its detail."""
    before = {item["pk"] for item in market_table.outbox()}
    action()
    new = [item for item in market_table.outbox() if item["pk"] not in before]
    assert [item["detail_type"] for item in new] == [detail_type]
    (item,) = new
    detail = json.loads(item["detail"])
    assert item["source"] == source
    assert item["sk"] == "EVENT" and item["pk"] == f"OUTBOX#{detail['event_id']}"
    assert detail["schema_version"] == 1
    assert 23 * 3600 < item["expires_at"] - clock.epoch() <= 24 * 3600
    return dict(detail)


def ok(reply: Reply, status: int = 200) -> Reply:
    return reply.expect(status)


def test_every_write_puts_exactly_one_event_of_its_type(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    created: dict[str, Any] = {}

    def create() -> None:
        created.update(market.listing(farmer, crop="kasooli", price=1100, kg="200", district="Lira"))

    detail = one_event(market_table, create, "ListingCreated", "soko.listings")
    assert set(detail) == ENVELOPE | LISTING_FIELDS
    assert {k: detail[k] for k in LISTING_FIELDS} == {
        "listing_id": created["id"],
        "farmer_id": farmer.id,
        "crop": "maize_grain",
        "category": "grains",
        "district": "Lira",
        "price_per_kg_ugx": 1100,
        "quantity_kg": "200.000",
    }
    listing_id = created["id"]

    detail = one_event(
        market_table,
        lambda: ok(api.put(f"/listings/{listing_id}", {"price_per_kg": 1000}, user=farmer)),
        "ListingUpdated",
        "soko.listings",
    )
    assert (detail["price_per_kg_ugx"], detail["status"], detail["quantity_kg"]) == (
        1000,
        "active",
        "200.000",
    )

    detail = one_event(
        market_table,
        lambda: ok(api.get(f"/listings/{listing_id}", user=buyer)),
        "ListingViewed",
        "soko.listings",
    )
    assert {k: v for k, v in detail.items() if k not in ENVELOPE} == {
        "listing_id": listing_id,
        "farmer_id": farmer.id,
        "viewer_id": buyer.id,
        "crop": "maize_grain",
        "day": clock.now().date().isoformat(),
    }

    placed: dict[str, Any] = {}
    detail = one_event(
        market_table,
        lambda: placed.update(market.order(buyer, listing_id, "12.5")),
        "OrderPlaced",
        "soko.orders",
    )
    expected_order = {
        "order_id": placed["id"],
        "listing_id": listing_id,
        "buyer_id": buyer.id,
        "farmer_id": farmer.id,
        "crop": "maize_grain",
        "district": "Lira",
        "quantity_kg": "12.500",
        "price_per_kg_ugx": 1000,
        "total_ugx": 12_500,
        "coop_id": None,  # issue 18: set on a pooled listing's orders
        "group_id": None,  # issue 18: set on a bulk-buying group's orders
    }
    assert detail == {**{k: detail[k] for k in ENVELOPE}, **expected_order, "flagged": False}

    detail = one_event(
        market_table,
        lambda: ok(market.move(placed["id"], farmer, "confirmed")),
        "OrderConfirmed",
        "soko.orders",
    )
    assert {k: v for k, v in detail.items() if k not in ENVELOPE} == expected_order

    market.pay(placed["id"])
    detail = one_event(
        market_table,
        lambda: ok(market.move(placed["id"], farmer, "dispatched")),
        "OrderDispatched",
        "soko.orders",
    )
    assert {k: v for k, v in detail.items() if k not in ENVELOPE} == expected_order

    delivered: dict[str, Any] = {}
    detail = one_event(
        market_table,
        lambda: delivered.update(ok(market.move(placed["id"], farmer, "delivered")).json),
        "OrderDelivered",
        "soko.orders",
    )
    assert {k: v for k, v in detail.items() if k not in ENVELOPE} == {
        **expected_order,
        "delivered_at": delivered["delivered_at"],
        "release_at": delivered["release_at"],
    }

    completed: dict[str, Any] = {}
    detail = one_event(
        market_table,
        lambda: completed.update(ok(api.post(f"/orders/{placed['id']}/receipt", user=buyer)).json),
        "OrderCompleted",
        "soko.orders",
    )
    assert {k: v for k, v in detail.items() if k not in ENVELOPE} == {
        **expected_order,
        "completed_at": completed["updated_at"],
        "released_by": "receipt",
    }
    datetime.strptime(detail["completed_at"], "%Y-%m-%dT%H:%M:%SZ")

    detail = one_event(
        market_table,
        lambda: ok(api.post(f"/orders/{placed['id']}/review", {"rating": 4}, user=buyer), 201),
        "ReviewSubmitted",
        "soko.orders",
    )
    assert {k: v for k, v in detail.items() if k not in ENVELOPE} == {
        "order_id": placed["id"],
        "buyer_id": buyer.id,
        "farmer_id": farmer.id,
        "rating": 4,
        "farmer_rating_sum": 4,
        "farmer_rating_count": 1,
        "farmer_fulfillment_rate": 1.0,
    }

    rejected = market.order(buyer, listing_id, "1")
    detail = one_event(
        market_table,
        lambda: ok(market.move(rejected["id"], farmer, "rejected")),
        "OrderRejected",
        "soko.orders",
    )
    assert (detail["order_id"], detail["quantity_kg"], detail["total_ugx"]) == (rejected["id"], "1.000", 1000)

    cancelled = market.order(buyer, listing_id, "2")
    detail = one_event(
        market_table,
        lambda: ok(api.post(f"/orders/{cancelled['id']}/cancel", user=buyer)),
        "OrderCancelled",
        "soko.orders",
    )
    assert (detail["order_id"], detail["buyer_id"]) == (cancelled["id"], buyer.id)

    detail = one_event(
        market_table,
        lambda: ok(api.delete(f"/listings/{listing_id}", user=farmer), 204),
        "ListingUpdated",
        "soko.listings",
    )
    assert (detail["listing_id"], detail["status"]) == (listing_id, "deleted")


def test_the_same_event_id_is_never_reused(market: Market, market_table: MarketTable, farmer: User) -> None:
    for _ in range(5):
        market.listing(farmer)

    ids = [json.loads(item["detail"])["event_id"] for item in market_table.outbox()]
    assert len(ids) == 5 == len(set(ids))


def test_writes_that_change_nothing_public_put_no_event(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer)
    before = market_table.outbox()

    api.put(f"/listings/{listing['id']}", {}, user=farmer).expect(200)  # an empty change
    api.get(f"/listings/{listing['id']}").expect(200)  # an anonymous view
    api.get(f"/listings/{listing['id']}", user=farmer).expect(200)  # the owner's view
    api.get("/listings/", query={"crop": "maize"}).expect(200)

    assert market_table.outbox() == before


def test_refused_writes_put_no_event(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer, kg="10")
    order = market.order(buyer, listing["id"], "1")
    stranger = new_user("farmer")
    before = market_table.outbox()

    refused = [
        api.post("/listings/", {"title": "Maize", "crop": "avocado"}, user=farmer),
        api.post(
            "/listings/",
            {"title": "Maize", "crop": "maize", "price_per_kg": 1, "quantity_kg": "1", "district": "Gulu"},
            user=buyer,
        ),
        api.put(f"/listings/{listing['id']}", {"price_per_kg": 5}, user=stranger),
        api.put(f"/listings/{listing['id']}", {"price_per_kg": 0}, user=farmer),
        api.delete(f"/listings/{listing['id']}", user=stranger),
        api.post("/orders/", {"listing_id": listing["id"], "quantity_kg": "50"}, user=buyer),
        api.post("/orders/", {"listing_id": listing["id"], "quantity_kg": "1"}, user=farmer),
        api.post(f"/orders/{order['id']}/cancel", user=farmer),
        market.move(order["id"], buyer, "confirmed"),
        market.move(order["id"], farmer, "completed"),
        market.move(order["id"], farmer, "delivered"),
        api.post(f"/orders/{order['id']}/receipt", user=buyer),
        api.post(f"/orders/{order['id']}/delivery-pin", {"pin": "123456"}, user=farmer),
        api.post(
            f"/orders/{order['id']}/disputes", {"reason": "other", "details": "x", "photos": []}, user=buyer
        ),
        api.post(f"/orders/{order['id']}/review", {"rating": 5}, user=buyer),
        api.post(f"/orders/{order['id']}/review", {"rating": 9}, user=buyer),
    ]

    assert all(400 <= r.status < 500 for r in refused), [
        r.text for r in refused if r.status < 400 or r.status >= 500
    ]
    assert market_table.outbox() == before


@pytest.mark.parametrize("times", [2, 3])
def test_a_viewer_is_counted_once_a_day_however_often_they_look(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User, times: int
) -> None:
    listing = market.listing(farmer)
    for _ in range(times):
        api.get(f"/listings/{listing['id']}", user=buyer).expect(200)

    assert len(market_table.outbox("ListingViewed")) == 1
