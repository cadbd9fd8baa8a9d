"""Placing orders (POST /orders/): stock reserved in the order's own transaction, idempotency keys,
the hourly limit and the large-order flag (GET /admin/flags); reading them (GET /orders/,
GET /orders/incoming/, GET /orders/{id})."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from market_support import Market, MarketTable

from soko.shared import clock
from support.gateway import Api
from support.users import User, new_user


def place(api: Api, buyer: User | None, listing_id: str, kg: Any = "10", **kwargs: Any) -> Any:
    return api.post("/orders/", {"listing_id": listing_id, "quantity_kg": kg}, user=buyer, **kwargs)


def ids_of(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def walk(api: Api, path: str, user: User, limit: int) -> list[str]:
    found: list[str] = []
    cursor = None
    for _ in range(30):
        reply = api.get(path, user=user, query={"limit": limit, "cursor": cursor}).expect(200)
        assert len(reply.json["items"]) <= limit
        found += ids_of(reply.json["items"])
        cursor = reply.json["next_cursor"]
        if cursor is None:
            break
    assert len(found) == len(set(found)), "an order came twice"
    return found


def newest_first(orders: list[dict[str, Any]]) -> list[str]:
    return [o["id"] for o in sorted(orders, key=lambda o: (o["created_at"], o["id"]), reverse=True)]


# ---------------------------------------------------------------------------- placing
def test_an_order_reserves_exactly_its_stock_in_one_write(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer, price=1250, kg="500", district="Mbale", crop="beans")

    reply = api.post(
        "/orders/",
        {"listing_id": listing["id"], "quantity_kg": "12.345", "delivery_district": "kampala"},
        user=buyer,
    ).expect(201)

    order = reply.json
    assert order["status"] == "pending" and order["payment_status"] == "unpaid"
    assert (order["buyer_id"], order["farmer_id"], order["listing_id"]) == (
        buyer.id,
        farmer.id,
        listing["id"],
    )
    assert (order["crop"], order["district"], order["delivery_district"]) == (
        "yellow_beans",
        "Mbale",
        "Kampala",
    )
    assert (order["quantity_kg"], order["price_per_kg"]) == ("12.345", 1250)
    assert order["total_ugx"] == 15431  # 15431.25
    assert order["reviewed"] is False and order["flagged"] is False
    (entry,) = order["audit"]
    assert entry == {
        "actor": buyer.id,
        "from_status": None,
        "to_status": "pending",
        "at": order["created_at"],
    }
    assert market_table.grams(listing["id"]) == 500_000 - 12_345
    assert api.get(f"/listings/{listing['id']}").expect(200).json["quantity_kg"] == "487.655"
    stored = {i["sk"].split("#")[0]: i for i in market_table.order_items(order["id"])}
    assert set(stored) == {"ORDER", "AUDIT"}
    assert stored["ORDER"]["quantity_g"] == 12_345 and stored["ORDER"]["version"] == 1
    seen = api.get(f"/orders/{order['id']}", user=buyer).expect(200).json
    assert seen["money_trail"] == {
        "order_id": order["id"],
        "payment_status": "unpaid",
        "payment_id": None,
        "amount_ugx": 0,
        "escrow": "none",
        "paid_at": None,
        "movements": [],
    }
    assert {**seen, "money_trail": None} == order  # only GET /orders/{id} reads the money trail


@pytest.mark.parametrize(
    ("price", "kg"),
    [(1001, "1.5"), (999, "0.001"), (1, "0.499"), (1, "0.5"), (3333, "3.333"), (100_000_000, "1000000")],
)
def test_total_is_price_times_kg_rounded_half_up(
    api: Api, market: Market, farmer: User, buyer: User, price: int, kg: str
) -> None:
    listing = market.listing(farmer, price=price, kg="1000000")
    if Decimal(kg) > 500_000:  # a buyer holds at most half a listing open: another holds the rest
        place(api, new_user("buyer"), listing["id"], "500000").expect(201)
        kg = str(Decimal(kg) - 500_000)

    order = place(api, buyer, listing["id"], kg).expect(201).json

    expected = (Decimal(price) * Decimal(kg)).quantize(Decimal(1), ROUND_HALF_UP)
    assert order["total_ugx"] == int(expected)


def test_the_whole_stock_can_be_bought_and_then_nothing_more(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer, kg="25.5")
    place(api, buyer, listing["id"], "12.75").expect(201)  # at most half each (MaxOpenShareOfListing)
    place(api, new_user("buyer"), listing["id"], "12.75").expect(201)
    assert market_table.grams(listing["id"]) == 0

    with market_table.unchanged():
        reply = place(api, new_user("buyer"), listing["id"], "0.001").expect(409, "INSUFFICIENT_STOCK")

    assert set(reply.error["details"]) == {"available_kg"}
    assert Decimal(reply.error["details"]["available_kg"]) == 0


def test_more_than_the_stock_is_409_and_writes_nothing(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer, kg="40")
    place(api, buyer, listing["id"], "15").expect(201)

    with market_table.unchanged():
        reply = place(api, buyer, listing["id"], "25.001").expect(409, "INSUFFICIENT_STOCK")

    assert set(reply.error["details"]) == {"available_kg"}
    assert Decimal(reply.error["details"]["available_kg"]) == Decimal("25")
    assert market_table.grams(listing["id"]) == 25_000
    assert len(market_table.with_prefix("ORDER#")) == 2  # the first order and its audit entry
    assert len(market_table.outbox("OrderPlaced")) == 1


def test_a_withdrawn_listing_cannot_be_ordered(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer)
    api.delete(f"/listings/{listing['id']}", user=farmer).expect(204)

    with market_table.unchanged():
        place(api, buyer, listing["id"]).expect(409, "LISTING_UNAVAILABLE")
        place(api, buyer, "01JD0000000000000000000099").expect(404, "LISTING_NOT_FOUND")


def test_a_farmer_with_role_both_cannot_buy_their_own_produce(
    api: Api, market: Market, market_table: MarketTable
) -> None:
    both = new_user("both")
    listing = market.listing(both)

    with market_table.unchanged():
        place(api, both, listing["id"]).expect(403, "SELF_DEALING")

    place(api, new_user("both"), listing["id"]).expect(201)  # someone else with role both can


@pytest.mark.parametrize("role", ["farmer", "admin"])
def test_only_buyers_may_order(
    api: Api, market: Market, market_table: MarketTable, farmer: User, role: str
) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        reply = place(api, new_user(role), listing["id"]).expect(403, "FORBIDDEN")

    assert reply.error["details"] == {"role": role}


def test_ordering_needs_a_caller(api: Api, market: Market, market_table: MarketTable, farmer: User) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        place(api, None, listing["id"]).expect(401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity_kg": "0"}, "quantity_kg"),
        ({"quantity_kg": "-3"}, "quantity_kg"),
        ({"quantity_kg": "1.0001"}, "quantity_kg"),
        ({"quantity_kg": "a lot"}, "quantity_kg"),
        ({"quantity_kg": "1000000.5"}, "quantity_kg"),
        ({"delivery_district": "Narnia"}, "delivery_district"),
        ({"listing_id": ""}, "listing_id"),
        ({"listing_id": "x" * 41}, "listing_id"),
        ({"buyer_id": "someone"}, "buyer_id"),
        ({"price_per_kg": 1}, "price_per_kg"),
    ],
)
def test_bad_order_values_are_422_and_write_nothing(
    api: Api,
    market: Market,
    market_table: MarketTable,
    farmer: User,
    buyer: User,
    body: dict[str, Any],
    field: str,
) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        reply = api.post(
            "/orders/", {"listing_id": listing["id"], "quantity_kg": "1", **body}, user=buyer
        ).expect(422, "VALIDATION_ERROR")

    assert reply.fields == {field}


# ---------------------------------------------------------------------------- idempotency
def test_the_same_key_and_body_returns_the_first_order_and_reserves_once(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer, kg="100")
    key = {"Idempotency-Key": "order-7f3a-0001"}

    first = place(api, buyer, listing["id"], "10", headers=key).expect(201).json
    with market_table.unchanged():
        again = place(api, buyer, listing["id"], "10", headers=key).expect(201).json

    assert again == first
    assert market_table.grams(listing["id"]) == 90_000
    assert len(market_table.outbox("OrderPlaced")) == 1
    assert [i["id"] for i in market_table.with_prefix("ORDER#") if i["sk"] == "ORDER"] == [first["id"]]


def test_the_same_key_with_another_body_is_422(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer, kg="100")
    key = {"Idempotency-Key": "order-7f3a-0002"}
    place(api, buyer, listing["id"], "10", headers=key).expect(201)

    with market_table.unchanged():
        place(api, buyer, listing["id"], "11", headers=key).expect(422, "IDEMPOTENCY_KEY_REUSED")

    assert market_table.grams(listing["id"]) == 90_000


def test_a_key_belongs_to_its_buyer(
    api: Api, market: Market, market_table: MarketTable, farmer: User
) -> None:
    listing = market.listing(farmer, kg="100")
    key = {"Idempotency-Key": "shared-key-0003"}

    first = place(api, new_user("buyer"), listing["id"], "10", headers=key).expect(201).json
    second = place(api, new_user("buyer"), listing["id"], "10", headers=key).expect(201).json

    assert first["id"] != second["id"]
    assert market_table.grams(listing["id"]) == 80_000


def test_a_refused_attempt_leaves_the_key_free_for_a_retry(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer, kg="5")
    key = {"Idempotency-Key": "retry-after-restock"}
    place(api, buyer, listing["id"], "10", headers=key).expect(409, "INSUFFICIENT_STOCK")
    api.put(f"/listings/{listing['id']}", {"quantity_kg": "50"}, user=farmer).expect(200)

    order = place(api, buyer, listing["id"], "10", headers=key).expect(201).json

    assert order["quantity_kg"] == "10.000"
    assert market_table.grams(listing["id"]) == 40_000


@pytest.mark.parametrize("key", ["short", "has space in it", "semi;colon-key", "k" * 129, "ключ-заказа-1"])
def test_a_malformed_key_is_422(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User, key: str
) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        reply = place(api, buyer, listing["id"], headers={"Idempotency-Key": key}).expect(
            422, "VALIDATION_ERROR"
        )

    assert reply.fields == {"idempotency-key"}


# ---------------------------------------------------------------------------- the hourly limit
def test_the_21st_order_in_an_hour_is_429_with_retry_after(
    api: Api,
    market: Market,
    market_table: MarketTable,
    farmer: User,
    buyer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fixed = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)
    monkeypatch.setattr(clock, "now", lambda: fixed)  # all 21 in one hour, whenever the test runs
    listing = market.listing(farmer, kg="1000")
    for _ in range(20):
        place(api, buyer, listing["id"], "1").expect(201)

    with market_table.unchanged():
        reply = place(api, buyer, listing["id"], "1").expect(429, "ORDER_RATE_LIMITED")

    retry_after = int(reply.headers["retry-after"])
    assert 1 <= retry_after <= 3600
    assert reply.error["details"]["retry_after_seconds"] == retry_after
    assert market_table.grams(listing["id"]) == 980_000
    rate = market_table.item(f"RATE#{buyer.id}", fixed.strftime("%Y%m%d%H"))
    assert rate is not None and rate["placed"] == 20
    place(api, new_user("buyer"), listing["id"], "1").expect(201)  # the limit is per buyer


# ---------------------------------------------------------------------------- large orders
def test_an_order_far_above_the_usual_size_is_placed_and_flagged_for_admins(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User, admin: User
) -> None:
    listing = market.listing(farmer, kg="1000")
    for kg in ("10", "9", "11"):
        assert place(api, buyer, listing["id"], kg).expect(201).json["flagged"] is False

    large = place(api, buyer, listing["id"], "100").expect(201).json

    assert large["flagged"] is True and large["status"] == "pending"
    assert market_table.grams(listing["id"]) == 1_000_000 - 130_000
    flags = api.get("/admin/flags", user=admin).expect(200).json
    assert flags["next_cursor"] is None
    (flag,) = flags["items"]
    assert (flag["order_id"], flag["buyer_id"]) == (large["id"], buyer.id)
    assert (flag["quantity_kg"], flag["usual_quantity_kg"]) == ("100.000", "10.000")
    assert "5x" in flag["reason"]
    (placed,) = [d for d in market_table.outbox_details("OrderPlaced") if d["order_id"] == large["id"]]
    assert placed["flagged"] is True


def test_five_times_the_usual_size_is_not_yet_large(
    api: Api, market: Market, farmer: User, buyer: User, admin: User
) -> None:
    listing = market.listing(farmer, kg="1000")
    for kg in ("10", "9", "11"):
        place(api, buyer, listing["id"], kg).expect(201)

    assert place(api, buyer, listing["id"], "50").expect(201).json["flagged"] is False
    assert place(api, buyer, listing["id"], "100.001").expect(201).json["flagged"] is True  # usual: 20 kg
    assert len(api.get("/admin/flags", user=admin).expect(200).json["items"]) == 1


def test_the_first_three_orders_are_never_flagged(
    api: Api, market: Market, farmer: User, buyer: User, admin: User
) -> None:
    listing = market.listing(farmer, kg="1000")
    place(api, buyer, listing["id"], "1").expect(201)
    assert place(api, buyer, listing["id"], "499").expect(201).json["flagged"] is False
    assert api.get("/admin/flags", user=admin).expect(200).json["items"] == []


@pytest.mark.parametrize("role", ["farmer", "buyer", "both"])
def test_only_admins_see_flags(api: Api, role: str) -> None:
    api.get("/admin/flags", user=new_user(role)).expect(403, "FORBIDDEN")


def test_flags_need_a_caller_and_a_valid_cursor(api: Api, admin: User) -> None:
    api.get("/admin/flags").expect(401, "UNAUTHORIZED")
    api.get("/admin/flags", user=admin, query={"cursor": "bogus"}).expect(400, "INVALID_CURSOR")
    api.get("/admin/flags", user=admin, query={"limit": 0}).expect(422)


# ---------------------------------------------------------------------------- reading orders
def test_buyers_and_farmers_list_their_orders_newest_first_page_by_page(
    api: Api, market: Market, farmer: User, buyer: User
) -> None:
    other_farmer, other_buyer = new_user("farmer"), new_user("buyer")
    mine = market.listing(farmer, kg="1000")
    theirs = market.listing(other_farmer, kg="1000")
    bought = [market.order(buyer, mine["id"], "1") for _ in range(3)] + [
        market.order(buyer, theirs["id"], "2")
    ]
    sold_to_other = [market.order(other_buyer, mine["id"], "3") for _ in range(2)]

    assert walk(api, "/orders/", buyer, 3) == newest_first(bought)
    assert walk(api, "/orders/incoming/", farmer, 2) == newest_first(bought[:3] + sold_to_other)
    assert walk(api, "/orders/incoming/", other_farmer, 1) == [bought[3]["id"]]
    assert walk(api, "/orders/", other_buyer, 5) == newest_first(sold_to_other)
    assert walk(api, "/orders/", farmer, 5) == []
    page = api.get("/orders/", user=buyer, query={"limit": 100}).expect(200).json
    assert page["next_cursor"] is None
    assert {o["id"]: o["audit"] for o in page["items"]} == {o["id"]: [] for o in bought}  # lists leave it out


def test_order_lists_refuse_bad_cursors_and_limits(
    api: Api, market: Market, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer, kg="100")
    for _ in range(3):
        market.order(buyer, listing["id"], "1")
    cursor = api.get("/orders/", user=buyer, query={"limit": 1}).expect(200).json["next_cursor"]
    assert cursor

    api.get("/orders/", user=new_user("buyer"), query={"cursor": cursor}).expect(400, "INVALID_CURSOR")
    api.get("/orders/incoming/", user=buyer, query={"cursor": cursor}).expect(400, "INVALID_CURSOR")
    api.get("/orders/", user=buyer, query={"cursor": cursor[:-3]}).expect(400, "INVALID_CURSOR")
    forged = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    forged["k"]["gsi1sk"] = ["n", "7"]
    token = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode()
    api.get("/orders/", user=buyer, query={"cursor": token}).expect(400, "INVALID_CURSOR")
    api.get("/orders/", user=buyer, query={"limit": 101}).expect(422)
    api.get("/orders/").expect(401, "UNAUTHORIZED")
    api.get("/orders/incoming/").expect(401, "UNAUTHORIZED")


@pytest.mark.parametrize("who", ["buyer", "farmer", "admin"])
def test_the_parties_and_admins_read_an_order_with_its_audit_trail(
    api: Api, market: Market, farmer: User, buyer: User, admin: User, who: str
) -> None:
    listing = market.listing(farmer)
    order = market.order(buyer, listing["id"])
    market.move(order["id"], farmer, "confirmed").expect(200)

    read = api.get(f"/orders/{order['id']}", user={"buyer": buyer, "farmer": farmer, "admin": admin}[who])

    body = read.expect(200).json
    assert body["status"] == "confirmed"
    assert [(a["actor"], a["from_status"], a["to_status"]) for a in body["audit"]] == [
        (buyer.id, None, "pending"),
        (farmer.id, "pending", "confirmed"),
    ]


def test_to_anyone_else_an_order_does_not_exist(api: Api, market: Market, farmer: User, buyer: User) -> None:
    listing = market.listing(farmer)
    order = market.order(buyer, listing["id"])

    hidden = api.get(f"/orders/{order['id']}", user=new_user("buyer")).expect(404, "ORDER_NOT_FOUND")
    unknown = api.get("/orders/01JD0000000000000000000099", user=new_user("buyer")).expect(404)

    assert hidden.error["message"] == unknown.error["message"]
    assert hidden.error["details"] == {"id": order["id"]}
    api.get(f"/orders/{order['id']}", user=new_user("farmer")).expect(404, "ORDER_NOT_FOUND")
    api.get(f"/orders/{order['id']}").expect(401, "UNAUTHORIZED")
