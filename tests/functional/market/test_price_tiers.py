"""Volume price tiers (issue 18) over the handlers, against moto: a listing's tiers on create, update
(``[]`` clears), the listing view and browse; a 422 naming ``price_tiers`` for tiers that are not
strictly increasing, too many, or out of range; and an order of at least a tier's ``min_kg`` paying
the tier's price (rounded half up per kg), with the discount on the order and its event."""

from __future__ import annotations

import json
from typing import Any

import pytest
from market_support import Market, MarketTable

from support.gateway import Api
from support.users import User

TIERS = [{"min_kg": "100", "discount_percent": 5}, {"min_kg": "1000.5", "discount_percent": 10}]


def tiered(market: Market, farmer: User, price: int = 1250, kg: str = "5000") -> dict[str, Any]:
    return market.listing(farmer, crop="beans", price=price, kg=kg, price_tiers=TIERS)


def test_a_listing_keeps_its_tiers_and_shows_them_everywhere(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = tiered(market, farmer)
    assert listing["price_tiers"] == TIERS
    assert listing["coop_id"] is None
    assert market_table.listing(listing["id"])["price_tiers"] == TIERS  # min_kg an exact string
    assert api.get(f"/listings/{listing['id']}", user=buyer).expect(200).json["price_tiers"] == TIERS
    (browsed,) = api.get("/listings/", query={"crop": "beans"}).expect(200).json["items"]
    assert browsed["price_tiers"] == TIERS


def test_a_listing_without_tiers_has_none(market: Market, market_table: MarketTable, farmer: User) -> None:
    listing = market.listing(farmer)
    assert listing["price_tiers"] == []
    assert "price_tiers" not in market_table.listing(listing["id"])


@pytest.mark.parametrize(
    "tiers",
    [
        [{"min_kg": "100", "discount_percent": 5}, {"min_kg": "100", "discount_percent": 10}],
        [{"min_kg": "100", "discount_percent": 10}, {"min_kg": "200", "discount_percent": 10}],
        [{"min_kg": "200", "discount_percent": 5}, {"min_kg": "100", "discount_percent": 10}],
        [{"min_kg": str(100 * (i + 1)), "discount_percent": i + 1} for i in range(6)],
        [{"min_kg": "0", "discount_percent": 5}],
        [{"min_kg": "-1", "discount_percent": 5}],
        [{"min_kg": "1000001", "discount_percent": 5}],
        [{"min_kg": "1.0001", "discount_percent": 5}],
        [{"min_kg": "100", "discount_percent": 0}],
        [{"min_kg": "100", "discount_percent": 51}],
        [{"min_kg": "100", "discount_percent": "5"}],
        [{"min_kg": "100", "discount_percent": 5.5}],
        [{"min_kg": "100"}],
        [{"min_kg": "100", "discount_percent": 5, "price": 1000}],
        [{"min_kg": "lots", "discount_percent": 5}],
        {"min_kg": "100", "discount_percent": 5},
    ],
)
def test_bad_tiers_are_a_422_naming_the_field_and_change_nothing(
    api: Api, market: Market, market_table: MarketTable, farmer: User, tiers: Any
) -> None:
    body = {"title": "Beans", "crop": "beans", "price_per_kg": 1000, "quantity_kg": "500", "district": "Lira"}
    reply = api.post("/listings/", {**body, "price_tiers": tiers}, user=farmer).expect(422)
    assert any(f.startswith("price_tiers") for f in reply.fields), reply.text
    listing = market.listing(farmer)
    with market_table.unchanged():
        reply = api.put(f"/listings/{listing['id']}", {"price_tiers": tiers}, user=farmer).expect(422)
        assert any(f.startswith("price_tiers") for f in reply.fields), reply.text


def test_an_update_replaces_the_tiers_and_an_empty_list_clears_them(
    api: Api, market: Market, market_table: MarketTable, farmer: User
) -> None:
    listing = tiered(market, farmer)
    new = [{"min_kg": "50", "discount_percent": 3}]
    changed = api.put(f"/listings/{listing['id']}", {"price_tiers": new}, user=farmer).expect(200).json
    assert changed["price_tiers"] == new
    kept = api.put(f"/listings/{listing['id']}", {"title": "Nambale beans"}, user=farmer).expect(200).json
    assert kept["price_tiers"] == new
    api.put(f"/listings/{listing['id']}", {"price_tiers": None}, user=farmer).expect(422)
    cleared = api.put(f"/listings/{listing['id']}", {"price_tiers": []}, user=farmer).expect(200).json
    assert cleared["price_tiers"] == []
    assert "price_tiers" not in market_table.listing(listing["id"])


@pytest.mark.parametrize(
    ("kg", "price", "discount"),
    [
        ("99.999", 1250, 0),  # below the first tier: the list price
        ("100", 1188, 5),  # 1250 x 0.95 = 1187.5 -> 1188 (half up)
        ("1000.499", 1188, 5),
        ("1000.5", 1125, 10),  # exactly the second tier
        ("2500", 1125, 10),
    ],
)
def test_an_order_pays_the_tier_its_quantity_reaches(
    api: Api,
    market: Market,
    market_table: MarketTable,
    farmer: User,
    buyer: User,
    kg: str,
    price: int,
    discount: int,
) -> None:
    listing = tiered(market, farmer)
    order = market.order(buyer, listing["id"], kg)
    grams = round(float(kg) * 1000)
    total = (price * grams + 500) // 1000  # half up
    assert (order["price_per_kg"], order["discount_percent"], order["total_ugx"]) == (price, discount, total)
    stored = market_table.item(f"ORDER#{order['id']}", "ORDER")
    assert stored is not None and (stored["price_per_kg"], stored["total_ugx"]) == (price, total)
    (placed,) = market_table.outbox_details("OrderPlaced")
    assert (placed["price_per_kg_ugx"], placed["total_ugx"]) == (price, total)
    assert placed["coop_id"] is None and placed["group_id"] is None


def test_tiers_on_an_awkward_price_round_half_up(market: Market, farmer: User, buyer: User) -> None:
    listing = market.listing(
        farmer, crop="beans", price=1235, kg="500", price_tiers=[{"min_kg": "10", "discount_percent": 7}]
    )
    order = market.order(buyer, listing["id"], "10")
    assert order["price_per_kg"] == 1149  # 1235 x 0.93 = 1148.55 -> 1149
    assert order["total_ugx"] == 11490


def test_a_tier_change_after_an_order_leaves_the_order_as_placed(
    api: Api, market: Market, farmer: User, buyer: User
) -> None:
    listing = tiered(market, farmer)
    order = market.order(buyer, listing["id"], "100")
    api.put(f"/listings/{listing['id']}", {"price_tiers": []}, user=farmer).expect(200)
    seen = api.get(f"/orders/{order['id']}", user=buyer).expect(200).json
    assert (seen["price_per_kg"], seen["discount_percent"]) == (1188, 5)
    assert json.dumps(seen)  # serialisable
