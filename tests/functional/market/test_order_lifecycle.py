"""An order's state machine (POST /orders/{id}/cancel, PATCH /orders/{id}/status): who may make
each move, the moves that are never allowed, stock returned on cancel and reject, optimistic
locking between racing changes, the audit trail; and reviews (POST /orders/{id}/review) with the
farmer's rating and fulfilment rate."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest
from market_support import Market, MarketTable

from soko.market.dal import MarketDal
from support.gateway import Api
from support.users import User, new_user


@pytest.fixture
def listing(market: Market, farmer: User) -> dict[str, Any]:
    return market.listing(farmer, kg="100", price=1500, crop="matooke", district="Masaka")


@pytest.fixture
def order(market: Market, listing: dict[str, Any], buyer: User) -> dict[str, Any]:
    return market.order(buyer, listing["id"], "30")


def order_in(market: Market, order: dict[str, Any], farmer: User, buyer: User, status: str) -> dict[str, Any]:
    """Moves a pending order to ``status`` through the API."""
    steps = {
        "pending": [],
        "confirmed": [(farmer, "confirmed")],
        "rejected": [(farmer, "rejected")],
    }
    if status == "cancelled":
        market.api.post(f"/orders/{order['id']}/cancel", user=buyer).expect(200)
    elif status == "delivered":
        market.deliver(order["id"], farmer)
    elif status == "completed":
        market.complete(order["id"], farmer, buyer)
    for user, new_status in steps.get(status, []):
        market.move(order["id"], user, new_status).expect(200)
    return order


def stored_order(market_table: MarketTable, order_id: str) -> dict[str, Any]:
    found = market_table.item(f"ORDER#{order_id}", "ORDER")
    assert found is not None
    return found


def trail(api: Api, order_id: str, user: User) -> list[tuple[str, str | None, str]]:
    audit = api.get(f"/orders/{order_id}", user=user).expect(200).json["audit"]
    return [(a["actor"], a["from_status"], a["to_status"]) for a in audit]


# ---------------------------------------------------------------------------- cancel
def test_the_buyer_cancels_a_pending_order_and_the_stock_returns(
    api: Api, market_table: MarketTable, listing: dict[str, Any], order: dict[str, Any], buyer: User
) -> None:
    assert market_table.grams(listing["id"]) == 70_000

    cancelled = api.post(f"/orders/{order['id']}/cancel", user=buyer).expect(200).json

    assert cancelled["status"] == "cancelled"
    assert [(a["actor"], a["from_status"], a["to_status"]) for a in cancelled["audit"]] == [
        (buyer.id, None, "pending"),
        (buyer.id, "pending", "cancelled"),
    ]
    assert market_table.grams(listing["id"]) == 100_000
    assert (stored := stored_order(market_table, order["id"]))["status"] == "cancelled"
    assert stored["version"] == 2
    seen = api.get(f"/orders/{order['id']}", user=buyer).expect(200).json
    assert seen["money_trail"]["payment_status"] == "unpaid"
    assert {**seen, "money_trail": None} == cancelled


@pytest.mark.parametrize("who", ["farmer", "admin"])
def test_only_the_buyer_may_cancel(
    api: Api, market_table: MarketTable, order: dict[str, Any], farmer: User, who: str
) -> None:
    user = farmer if who == "farmer" else new_user("admin")
    with market_table.unchanged():
        api.post(f"/orders/{order['id']}/cancel", user=user).expect(403, "FORBIDDEN")


def test_strangers_and_anonymous_callers_cannot_cancel(
    api: Api, market_table: MarketTable, order: dict[str, Any]
) -> None:
    with market_table.unchanged():
        api.post(f"/orders/{order['id']}/cancel", user=new_user("buyer")).expect(404, "ORDER_NOT_FOUND")
        api.post(f"/orders/{order['id']}/cancel").expect(401, "UNAUTHORIZED")
        api.post("/orders/01JD0000000000000000000099/cancel", user=new_user("buyer")).expect(404)


@pytest.mark.parametrize("status", ["confirmed", "completed", "rejected", "cancelled"])
def test_only_a_pending_order_can_be_cancelled(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    status: str,
) -> None:
    order_in(market, order, farmer, buyer, status)

    with market_table.unchanged():
        reply = api.post(f"/orders/{order['id']}/cancel", user=buyer).expect(409, "ILLEGAL_TRANSITION")

    assert reply.error["details"] == {"status": status, "requested": "cancelled"}


# ---------------------------------------------------------------------------- status changes
def test_the_farmer_delivers_the_buyer_confirms_receipt_and_the_stock_stays_sold(
    api: Api,
    market: Market,
    market_table: MarketTable,
    listing: dict[str, Any],
    order: dict[str, Any],
    farmer: User,
    buyer: User,
) -> None:
    confirmed = market.move(order["id"], farmer, "confirmed").expect(200).json
    assert confirmed["status"] == "confirmed"
    market.pay(order["id"])
    market.move(order["id"], farmer, "completed").expect(409, "ILLEGAL_TRANSITION")  # never the farmer alone
    dispatched = market.move(order["id"], farmer, "dispatched").expect(200).json
    assert dispatched["status"] == "dispatched" and dispatched["dispatched_at"]
    delivered = market.move(order["id"], farmer, "delivered").expect(200).json
    assert delivered["status"] == "delivered" and delivered["release_at"] > delivered["delivered_at"]
    api.post(f"/orders/{order['id']}/receipt", user=farmer).expect(403, "FORBIDDEN")

    completed = api.post(f"/orders/{order['id']}/receipt", user=buyer).expect(200).json

    assert (completed["status"], completed["released_by"]) == ("completed", "receipt")
    assert market_table.grams(listing["id"]) == 70_000
    assert stored_order(market_table, order["id"])["version"] == 5
    assert market_table.item(f"FARMER#{farmer.id}", "STATS") == {
        "pk": f"FARMER#{farmer.id}",
        "sk": "STATS",
        "completed": 1,
    }
    audit = api.get(f"/orders/{order['id']}", user=buyer).expect(200).json["audit"]
    assert audit == completed["audit"]
    assert [(a["actor"], a["from_status"], a["to_status"]) for a in audit] == [
        (buyer.id, None, "pending"),
        (farmer.id, "pending", "confirmed"),
        (farmer.id, "confirmed", "dispatched"),
        (farmer.id, "dispatched", "delivered"),
        (buyer.id, "delivered", "completed"),
    ]
    times = [datetime.strptime(a["at"], "%Y-%m-%dT%H:%M:%SZ") for a in audit]
    assert times == sorted(times)
    assert audit[-1]["at"] == completed["updated_at"]


@pytest.mark.parametrize("status", ["pending", "confirmed"])
def test_rejecting_returns_the_stock(
    market: Market,
    market_table: MarketTable,
    listing: dict[str, Any],
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    status: str,
) -> None:
    order_in(market, order, farmer, buyer, status)  # confirmed: the farmer cannot deliver after all
    rejected = market.move(order["id"], farmer, "rejected").expect(200).json

    assert rejected["status"] == "rejected"
    assert rejected["audit"][-1]["actor"] == farmer.id
    assert market_table.grams(listing["id"]) == 100_000
    assert market_table.item(f"FARMER#{farmer.id}", "STATS")["rejected"] == 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("status", "new_status"),
    [
        ("pending", "confirmed"),
        ("pending", "rejected"),
        ("confirmed", "rejected"),
        ("confirmed", "dispatched"),
        ("confirmed", "delivered"),
    ],
)
def test_only_the_farmer_changes_the_status(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    status: str,
    new_status: str,
) -> None:
    order_in(market, order, farmer, buyer, status)

    with market_table.unchanged():
        market.move(order["id"], buyer, new_status).expect(403, "FORBIDDEN")
        market.move(order["id"], new_user("admin"), new_status).expect(403, "FORBIDDEN")
        market.move(order["id"], new_user("farmer"), new_status).expect(404, "ORDER_NOT_FOUND")
        api.patch(f"/orders/{order['id']}/status", {"new_status": new_status}).expect(401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("status", "new_status"),
    [
        ("pending", "completed"),
        ("pending", "delivered"),
        ("confirmed", "confirmed"),
        ("confirmed", "completed"),
        ("delivered", "completed"),
        ("delivered", "rejected"),
        ("delivered", "dispatched"),
        ("completed", "confirmed"),
        ("completed", "rejected"),
        ("completed", "completed"),
        ("rejected", "confirmed"),
        ("rejected", "completed"),
        ("cancelled", "confirmed"),
        ("cancelled", "completed"),
    ],
)
def test_illegal_moves_are_409_and_write_nothing(
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    status: str,
    new_status: str,
) -> None:
    order_in(market, order, farmer, buyer, status)

    with market_table.unchanged():
        reply = market.move(order["id"], farmer, new_status).expect(409, "ILLEGAL_TRANSITION")

    assert reply.error["details"] == {"status": status, "requested": new_status}


@pytest.mark.parametrize(
    "body",
    [
        {"new_status": "cancelled"},
        {"new_status": "pending"},
        {"new_status": "shipped"},
        {},
        {"new_status": "confirmed", "by": "x"},
    ],
)
def test_bad_status_bodies_are_422(
    api: Api, market_table: MarketTable, order: dict[str, Any], farmer: User, body: dict[str, Any]
) -> None:
    with market_table.unchanged():
        reply = api.patch(f"/orders/{order['id']}/status", body, user=farmer).expect(422, "VALIDATION_ERROR")

    assert reply.fields <= {"new_status", "by"} and reply.fields


# ---------------------------------------------------------------------------- racing changes
def _from_the_same_read(monkeypatch: pytest.MonkeyPatch, market_table: MarketTable, order_id: str) -> None:
    """Every later read of the order returns what it was now (two requests that read together)."""
    stale = MarketDal(market_table.name).get_order(order_id)
    assert stale is not None
    monkeypatch.setattr(MarketDal, "get_order", lambda self, _id: copy.deepcopy(stale))


def test_confirm_and_reject_racing_from_one_read_exactly_one_wins(
    api: Api,
    market: Market,
    market_table: MarketTable,
    listing: dict[str, Any],
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _from_the_same_read(monkeypatch, market_table, order["id"])

    first = market.move(order["id"], farmer, "confirmed")
    with market_table.unchanged():
        second = market.move(order["id"], farmer, "rejected")

    assert (first.status, second.status) == (200, 409)
    assert second.error["code"] == "CONCURRENT_UPDATE"
    monkeypatch.undo()
    assert stored_order(market_table, order["id"])["status"] == "confirmed"
    assert market_table.grams(listing["id"]) == 70_000  # the losing reject returned nothing
    assert trail(api, order["id"], buyer) == [
        (buyer.id, None, "pending"),
        (farmer.id, "pending", "confirmed"),
    ]
    assert [len(market_table.outbox(t)) for t in ("OrderConfirmed", "OrderRejected")] == [1, 0]


def test_a_cancel_racing_a_confirm_from_one_read_loses_cleanly(
    api: Api,
    market: Market,
    market_table: MarketTable,
    listing: dict[str, Any],
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _from_the_same_read(monkeypatch, market_table, order["id"])

    market.move(order["id"], farmer, "confirmed").expect(200)
    with market_table.unchanged():
        api.post(f"/orders/{order['id']}/cancel", user=buyer).expect(409, "CONCURRENT_UPDATE")

    assert market_table.grams(listing["id"]) == 70_000
    assert market_table.outbox("OrderCancelled") == []


def test_two_cancels_from_one_read_return_the_stock_once(
    api: Api,
    market_table: MarketTable,
    listing: dict[str, Any],
    order: dict[str, Any],
    buyer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _from_the_same_read(monkeypatch, market_table, order["id"])

    replies = [api.post(f"/orders/{order['id']}/cancel", user=buyer) for _ in range(2)]

    assert [r.status for r in replies] == [200, 409]
    assert market_table.grams(listing["id"]) == 100_000
    assert len(market_table.outbox("OrderCancelled")) == 1


# ---------------------------------------------------------------------------- reviews
def review(api: Api, order_id: str, user: User | None, rating: Any = 5, **extra: Any) -> Any:
    return api.post(f"/orders/{order_id}/review", {"rating": rating, **extra}, user=user)


def test_the_buyer_reviews_a_completed_order_once(
    api: Api, market: Market, market_table: MarketTable, order: dict[str, Any], farmer: User, buyer: User
) -> None:
    market.complete(order["id"], farmer, buyer)

    created = review(api, order["id"], buyer, 4, comment="Fresh and on time").expect(201).json

    assert {k: v for k, v in created.items() if k != "created_at"} == {
        "order_id": order["id"],
        "farmer_id": farmer.id,
        "buyer_id": buyer.id,
        "rating": 4,
        "comment": "Fresh and on time",
        "farmer_rating": 4.0,
        "farmer_rating_count": 1,
        "farmer_fulfillment_rate": 1.0,
    }
    assert api.get(f"/orders/{order['id']}", user=buyer).expect(200).json["reviewed"] is True
    stored = market_table.item(f"ORDER#{order['id']}", "REVIEW")
    assert stored is not None and (stored["rating"], stored["buyer_id"]) == (4, buyer.id)

    with market_table.unchanged():
        review(api, order["id"], buyer, 1).expect(409, "ALREADY_REVIEWED")


@pytest.mark.parametrize("status", ["pending", "confirmed", "rejected", "cancelled", "delivered"])
def test_only_a_completed_order_can_be_reviewed(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    status: str,
) -> None:
    order_in(market, order, farmer, buyer, status)

    with market_table.unchanged():
        reply = review(api, order["id"], buyer).expect(409, "NOT_REVIEWABLE")

    assert reply.error["details"] == {"status": status}


def test_only_the_buyer_reviews(
    api: Api, market: Market, market_table: MarketTable, order: dict[str, Any], farmer: User, buyer: User
) -> None:
    market.complete(order["id"], farmer, buyer)

    with market_table.unchanged():
        review(api, order["id"], farmer).expect(403, "FORBIDDEN")
        review(api, order["id"], new_user("admin")).expect(403, "FORBIDDEN")
        review(api, order["id"], new_user("buyer")).expect(404, "ORDER_NOT_FOUND")
        review(api, order["id"], None).expect(401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": -1}, "rating"),
        ({"rating": 4.5}, "rating"),
        ({"rating": None}, "rating"),
        ({}, "rating"),
        ({"rating": 5, "comment": "c" * 1001}, "comment"),
        ({"rating": 5, "farmer_id": "x"}, "farmer_id"),
    ],
)
def test_bad_reviews_are_422_and_write_nothing(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    body: dict[str, Any],
    field: str,
) -> None:
    market.complete(order["id"], farmer, buyer)

    with market_table.unchanged():
        reply = api.post(f"/orders/{order['id']}/review", body, user=buyer).expect(422, "VALIDATION_ERROR")

    assert reply.fields == {field}


def test_the_farmers_rating_and_fulfilment_follow_reviews_and_decisions(
    api: Api, market: Market, market_table: MarketTable, listing: dict[str, Any], farmer: User
) -> None:
    buyers = [new_user("buyer"), new_user("buyer"), new_user("both")]
    completed = [market.order(b, listing["id"], "5") for b in buyers]
    for order, b in zip(completed, buyers, strict=True):
        market.complete(order["id"], farmer, b)
    market.move(market.order(buyers[0], listing["id"], "5")["id"], farmer, "rejected").expect(200)
    cancelled = market.order(buyers[1], listing["id"], "5")  # a buyer's cancel is not the farmer's failure
    api.post(f"/orders/{cancelled['id']}/cancel", user=buyers[1]).expect(200)
    market.move(market.order(buyers[2], listing["id"], "5")["id"], farmer, "confirmed").expect(200)

    results = [
        review(api, order["id"], b, rating).expect(201).json
        for order, b, rating in zip(completed, buyers, (5, 4, 2), strict=True)
    ]

    assert [(r["farmer_rating"], r["farmer_rating_count"]) for r in results] == [
        (5.0, 1),
        (4.5, 2),
        (3.67, 3),
    ]
    assert {r["farmer_fulfillment_rate"] for r in results} == {0.75}  # 3 completed / (3 + 1 rejected)
    stats = market_table.item(f"FARMER#{farmer.id}", "STATS")
    assert stats is not None
    assert (stats["rating_sum"], stats["rating_count"], stats["completed"], stats["rejected"]) == (
        11,
        3,
        3,
        1,
    )
