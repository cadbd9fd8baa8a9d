"""Listings: create, read, change and withdraw (POST/GET/PUT/DELETE /listings/...), and the views a
signed-in reader counts (ListingViewed, once per viewer, listing and day)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from market_support import Market, MarketTable

from soko.identity import tokens
from soko.market import logic
from soko.market.dal import MarketDal
from soko.market.deps import market as market_deps
from soko.market.models import OrderCreate
from soko.shared import clock
from soko.shared.identity import Caller
from support.gateway import Api
from support.users import User, new_user

GOOD = {
    "title": "Dry white maize, 2026 harvest",
    "crop": "maize",
    "price_per_kg": 1200,
    "quantity_kg": "500",
    "district": "Gulu",
    "harvest_date": "2026-08-15",
}
INDEX_ATTRIBUTES = {f"gsi{n}{part}" for n in range(1, 9) for part in ("pk", "sk")}


def browse_ids(api: Api, **query: Any) -> list[str]:
    reply = api.get("/listings/", query={"limit": 100, **query}).expect(200)
    assert reply.json["next_cursor"] is None
    return [item["id"] for item in reply.json["items"]]


def every_list(api: Api, listing: dict[str, Any]) -> dict[str, list[str]]:
    """The listing's ids in every browse list it could appear in."""
    lists = {}
    for sort in ("newest", "price", "-price"):
        lists[f"all/{sort}"] = browse_ids(api, sort=sort)
        lists[f"crop/{sort}"] = browse_ids(api, crop=listing["crop"], sort=sort)
        lists[f"district/{sort}"] = browse_ids(api, district=listing["district"], sort=sort)
        lists[f"farmer/{sort}"] = browse_ids(api, farmer_id=listing["farmer_id"], sort=sort)
        lists[f"category/{sort}"] = browse_ids(api, category=listing["category"], sort=sort)
        lists[f"price-range/{sort}"] = browse_ids(
            api, min_price=listing["price_per_kg"], max_price=listing["price_per_kg"], sort=sort
        )
    return lists


# ---------------------------------------------------------------------------- create
def test_create_lists_produce_with_the_catalogue_crop_and_writes_its_index_keys(
    api: Api, market_table: MarketTable, farmer: User
) -> None:
    reply = api.post("/listings/", GOOD, user=farmer).expect(201)

    listing = reply.json
    assert listing["farmer_id"] == farmer.id
    assert listing["crop"] == "maize_grain"
    assert listing["crop_name"] == "Maize (grain)"
    assert listing["category"] == "grains"
    assert listing["price_per_kg"] == 1200
    assert listing["quantity_kg"] == "500.000"
    assert listing["district"] == "Gulu"
    assert listing["harvest_date"] == "2026-08-15"
    assert listing["status"] == "active"
    assert listing["images"] == []
    assert listing["created_at"].endswith("Z") and listing["created_at"] == listing["updated_at"]
    stored = market_table.listing(listing["id"])
    assert stored["quantity_g"] == 500_000
    assert stored["version"] == 1
    assert set(stored) >= INDEX_ATTRIBUTES
    assert stored["gsi1pk"] == "CROP#maize_grain" and stored["gsi3pk"] == "DIST#Gulu"
    assert stored["gsi5sk"] == f"000000001200#{listing['id']}"
    assert api.get(f"/listings/{listing['id']}").expect(200).json == listing


def test_a_farmer_with_role_both_can_list(api: Api) -> None:
    api.post("/listings/", GOOD, user=new_user("both")).expect(201)


@pytest.mark.parametrize(
    ("typed", "crop_id", "category"),
    [
        ("maze", "maize_grain", "grains"),
        ("kasooli", "maize_grain", "grains"),
        ("corn", "maize_grain", "grains"),
        ("  MAIZE ", "maize_grain", "grains"),
        ("matooke", "matoke", "fruit_veg"),
        ("Ebijanjaalo", "yellow_beans", "legumes"),
        ("beens", "yellow_beans", "legumes"),
    ],
)
def test_crop_names_synonyms_luganda_and_typos_are_normalised(
    api: Api, farmer: User, typed: str, crop_id: str, category: str
) -> None:
    listing = api.post("/listings/", {**GOOD, "crop": typed}, user=farmer).expect(201).json

    assert (listing["crop"], listing["category"]) == (crop_id, category)


def test_an_explicit_category_is_kept(api: Api, farmer: User) -> None:
    listing = api.post("/listings/", {**GOOD, "category": "processed"}, user=farmer).expect(201).json

    assert (listing["crop"], listing["category"]) == ("maize_grain", "processed")


def test_district_is_case_insensitive_and_knows_town_aliases(api: Api, farmer: User) -> None:
    for typed, district in (("gULU", "Gulu"), ("Entebbe", "Wakiso"), ("fort portal", "Kabarole")):
        listing = api.post("/listings/", {**GOOD, "district": typed}, user=farmer).expect(201).json
        assert listing["district"] == district


def test_an_unknown_crop_is_422_naming_the_field_with_suggestions(
    api: Api, market_table: MarketTable, farmer: User
) -> None:
    with market_table.unchanged():
        reply = api.post("/listings/", {**GOOD, "crop": "avocado"}, user=farmer).expect(422)

    assert reply.error["code"] == "VALIDATION_ERROR"
    assert reply.fields == {"crop"}
    (entry,) = reply.error["details"]["fields"]
    assert "try one of" in entry["message"]
    suggestions = entry["message"].rsplit("try one of", 1)[1].split(",")
    assert len(suggestions) == 3 and all(s.strip() for s in suggestions)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price_per_kg", 0),
        ("price_per_kg", -100),
        ("price_per_kg", 1200.5),
        ("price_per_kg", 100_000_001),
        ("price_per_kg", None),
        ("price_per_kg", "twelve hundred"),
        ("price_per_kg", "1200"),
        ("price_per_kg", 1200.0),
        ("quantity_kg", "1.2345"),
        ("quantity_kg", 0.0001),
        ("quantity_kg", "0"),
        ("quantity_kg", "-5"),
        ("quantity_kg", "1000000.001"),
        ("quantity_kg", "lots"),
        ("district", "Atlantis"),
        ("district", "Nairobi"),
        ("title", "ab"),
        ("title", "x" * 121),
        ("category", "toys"),
        ("harvest_date", "1999-12-31"),
        ("harvest_date", "15/08/2026"),
        ("description", "d" * 2001),
    ],
)
def test_bad_values_are_422_naming_the_field_and_write_nothing(
    api: Api, market_table: MarketTable, farmer: User, field: str, value: Any
) -> None:
    with market_table.unchanged():
        reply = api.post("/listings/", {**GOOD, field: value}, user=farmer).expect(422, "VALIDATION_ERROR")

    assert reply.fields == {field}


@pytest.mark.parametrize("missing", ["title", "crop", "price_per_kg", "quantity_kg", "district"])
def test_each_required_field_is_required(
    api: Api, market_table: MarketTable, farmer: User, missing: str
) -> None:
    body = {k: v for k, v in GOOD.items() if k != missing}
    with market_table.unchanged():
        reply = api.post("/listings/", body, user=farmer).expect(422, "VALIDATION_ERROR")

    assert reply.fields == {missing}


def test_the_owner_cannot_be_chosen_in_the_body(api: Api, market_table: MarketTable, farmer: User) -> None:
    with market_table.unchanged():
        reply = api.post("/listings/", {**GOOD, "farmer_id": "someone-else"}, user=farmer).expect(422)

    assert reply.fields == {"farmer_id"}


def test_malformed_json_is_400(api: Api, market_table: MarketTable, farmer: User) -> None:
    with market_table.unchanged():
        api.post("/listings/", '{"title": "Maize",', user=farmer).expect(400, "MALFORMED_JSON")


@pytest.mark.parametrize("role", ["buyer", "admin"])
def test_only_farmers_may_list(api: Api, market_table: MarketTable, role: str) -> None:
    with market_table.unchanged():
        reply = api.post("/listings/", GOOD, user=new_user(role)).expect(403, "FORBIDDEN")

    assert reply.error["details"] == {"role": role}


def test_no_caller_is_401(api: Api, market_table: MarketTable) -> None:
    with market_table.unchanged():
        api.post("/listings/", GOOD).expect(401, "UNAUTHORIZED")


# ---------------------------------------------------------------------------- get
def test_anyone_may_read_a_listing_and_an_unknown_one_is_404(
    api: Api, market: Market, market_table: MarketTable, farmer: User
) -> None:
    listing = market.listing(farmer)

    assert api.get(f"/listings/{listing['id']}").expect(200).json == listing
    reply = api.get("/listings/01JD0000000000000000000099").expect(404, "LISTING_NOT_FOUND")
    assert reply.error["details"] == {"id": "01JD0000000000000000000099"}


def test_a_deleted_listing_is_still_readable_by_id_as_deleted(api: Api, market: Market, farmer: User) -> None:
    listing = market.listing(farmer)
    api.delete(f"/listings/{listing['id']}", user=farmer).expect(204)

    read = api.get(f"/listings/{listing['id']}").expect(200).json

    assert read["status"] == "deleted"
    assert (read["id"], read["title"], read["price_per_kg"]) == (
        listing["id"],
        listing["title"],
        listing["price_per_kg"],
    )


# ---------------------------------------------------------------------------- update
def test_the_owner_changes_the_price_and_it_moves_in_price_order(
    api: Api, market: Market, market_table: MarketTable, farmer: User
) -> None:
    cheap = market.listing(farmer, price=1000)
    middle = market.listing(farmer, price=2000)
    dear = market.listing(farmer, price=3000)
    assert browse_ids(api, sort="price") == [cheap["id"], middle["id"], dear["id"]]

    reply = api.put(f"/listings/{dear['id']}", {"price_per_kg": 500}, user=farmer).expect(200)

    assert reply.json["price_per_kg"] == 500
    assert reply.json["updated_at"] >= dear["updated_at"]
    assert browse_ids(api, sort="price") == [dear["id"], cheap["id"], middle["id"]]
    assert browse_ids(api, sort="-price") == [middle["id"], cheap["id"], dear["id"]]
    assert browse_ids(api, sort="price", crop="maize", max_price=999) == [dear["id"]]
    assert browse_ids(api, farmer_id=farmer.id, sort="price")[0] == dear["id"]
    stored = market_table.listing(dear["id"])
    assert stored["version"] == 2
    assert {stored[f"gsi{n}sk"] for n in (1, 3, 5, 8)} == {f"000000000500#{dear['id']}"}


def test_the_owner_changes_title_description_and_quantity(
    api: Api, market: Market, market_table: MarketTable, farmer: User
) -> None:
    listing = market.listing(farmer, description="old text")
    change = {"title": "Sun-dried maize", "quantity_kg": "12.5", "description": None}

    updated = api.put(f"/listings/{listing['id']}", change, user=farmer).expect(200).json

    assert (updated["title"], updated["quantity_kg"], updated["description"]) == (
        "Sun-dried maize",
        "12.500",
        None,
    )
    assert api.get(f"/listings/{listing['id']}").expect(200).json == updated
    stored = market_table.listing(listing["id"])
    assert stored["quantity_g"] == 12_500 and "description" not in stored
    assert browse_ids(api, q="sun") == [listing["id"]]


def test_an_empty_update_changes_nothing(
    api: Api, market: Market, market_table: MarketTable, farmer: User
) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        assert api.put(f"/listings/{listing['id']}", {}, user=farmer).expect(200).json == listing


def test_quantity_zero_hides_the_listing_from_every_list_until_restocked(
    api: Api, market: Market, farmer: User
) -> None:
    listing = market.listing(farmer)
    before = every_list(api, listing)
    assert all(ids == [listing["id"]] for ids in before.values()), before

    api.put(f"/listings/{listing['id']}", {"quantity_kg": 0}, user=farmer).expect(200)

    assert all(ids == [] for ids in every_list(api, listing).values())
    assert api.get(f"/listings/{listing['id']}").expect(200).json["quantity_kg"] == "0.000"
    api.put(f"/listings/{listing['id']}", {"quantity_kg": "3"}, user=farmer).expect(200)
    assert every_list(api, listing) == before


@pytest.mark.parametrize("who", ["another farmer", "a buyer", "an admin"])
def test_only_the_owner_may_change_a_listing(
    api: Api, market: Market, market_table: MarketTable, farmer: User, who: str
) -> None:
    listing = market.listing(farmer)
    other = {
        "another farmer": new_user("farmer"),
        "a buyer": new_user("buyer"),
        "an admin": new_user("admin"),
    }

    with market_table.unchanged():
        api.put(f"/listings/{listing['id']}", {"price_per_kg": 1}, user=other[who]).expect(403, "FORBIDDEN")


def test_changing_a_listing_needs_a_caller(api: Api, market: Market, market_table: MarketTable) -> None:
    listing = market.listing(new_user("farmer"))
    with market_table.unchanged():
        api.put(f"/listings/{listing['id']}", {"price_per_kg": 1}).expect(401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price_per_kg": 0}, "price_per_kg"),
        ({"price_per_kg": 99.5}, "price_per_kg"),
        ({"quantity_kg": "1.0005"}, "quantity_kg"),
        ({"quantity_kg": "-1"}, "quantity_kg"),
        ({"title": "no"}, "title"),
        ({"crop": "rice"}, "crop"),
        ({"district": "Lira"}, "district"),
        ({"status": "deleted"}, "status"),
        ({"farmer_id": "x"}, "farmer_id"),
    ],
)
def test_bad_changes_are_422_and_write_nothing(
    api: Api, market: Market, market_table: MarketTable, farmer: User, change: dict[str, Any], field: str
) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        reply = api.put(f"/listings/{listing['id']}", change, user=farmer).expect(422, "VALIDATION_ERROR")

    assert reply.fields == {field}


@pytest.mark.parametrize("field", ["title", "price_per_kg", "quantity_kg"])
def test_null_for_a_required_field_is_422_not_500(
    api: Api, market: Market, market_table: MarketTable, farmer: User, field: str
) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        reply = api.put(f"/listings/{listing['id']}", {field: None}, user=farmer)

    assert reply.status == 422, reply.text
    assert reply.fields == {field}


def test_unknown_and_deleted_listings_cannot_be_changed(
    api: Api, market: Market, market_table: MarketTable, farmer: User
) -> None:
    listing = market.listing(farmer)
    api.delete(f"/listings/{listing['id']}", user=farmer).expect(204)

    with market_table.unchanged():
        api.put(f"/listings/{listing['id']}", {"price_per_kg": 5}, user=farmer).expect(
            404, "LISTING_NOT_FOUND"
        )
        api.put("/listings/01JD0000000000000000000099", {"price_per_kg": 5}, user=farmer).expect(404)


def test_an_order_between_read_and_write_makes_the_update_a_409_and_writes_nothing(
    api: Api,
    market: Market,
    market_table: MarketTable,
    farmer: User,
    buyer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listing = market.listing(farmer, kg="100")
    original = MarketDal.update_listing
    raced: list[str] = []

    def order_first(self: MarketDal, *args: Any, **kwargs: Any) -> None:
        if not raced:  # a buyer's order lands after the update read the listing, before it writes
            order = logic.place_order(
                Caller(user_id=buyer.id, role="buyer", email=buyer.email),
                OrderCreate(listing_id=listing["id"], quantity_kg=Decimal("10")),
                market_deps(),
            )
            raced.append(order.id)
        original(self, *args, **kwargs)

    monkeypatch.setattr(MarketDal, "update_listing", order_first)

    reply = api.put(f"/listings/{listing['id']}", {"price_per_kg": 900, "quantity_kg": "100"}, user=farmer)

    reply.expect(409, "CONCURRENT_UPDATE")
    stored = market_table.listing(listing["id"])
    assert (stored["price_per_kg"], stored["quantity_g"], stored["version"]) == (1200, 90_000, 2)
    assert market_table.outbox("ListingUpdated") == []
    assert len(market_table.outbox("OrderPlaced")) == 1
    # the farmer reloads and retries: now it applies
    retry = api.put(f"/listings/{listing['id']}", {"price_per_kg": 900}, user=farmer).expect(200).json
    assert (retry["price_per_kg"], retry["quantity_kg"]) == (900, "90.000")


# ---------------------------------------------------------------------------- delete
def test_delete_is_soft_it_leaves_every_list_but_stays_readable(
    api: Api, market: Market, market_table: MarketTable, farmer: User
) -> None:
    listing = market.listing(farmer, title="Dried maize cobs")
    other = market.listing(farmer, price=1500)
    assert all(listing["id"] in ids for ids in every_list(api, listing).values())

    reply = api.delete(f"/listings/{listing['id']}", user=farmer).expect(204)

    assert reply.text == ""
    lists = every_list(api, listing)
    assert all(listing["id"] not in ids for ids in lists.values()), lists
    assert lists["farmer/newest"] == [other["id"]] and lists["farmer/price"] == [other["id"]]
    assert browse_ids(api, q="dried") == []
    assert api.get(f"/listings/{listing['id']}").expect(200).json["status"] == "deleted"
    stored = market_table.listing(listing["id"])
    assert stored["status"] == "deleted" and stored["version"] == 2
    assert not INDEX_ATTRIBUTES & set(stored)


def test_only_the_owner_may_delete_and_twice_is_404(
    api: Api, market: Market, market_table: MarketTable, farmer: User
) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        api.delete(f"/listings/{listing['id']}", user=new_user("farmer")).expect(403, "FORBIDDEN")
        api.delete(f"/listings/{listing['id']}", user=new_user("admin")).expect(403, "FORBIDDEN")
        api.delete(f"/listings/{listing['id']}").expect(401, "UNAUTHORIZED")
        api.delete("/listings/01JD0000000000000000000099", user=farmer).expect(404, "LISTING_NOT_FOUND")

    api.delete(f"/listings/{listing['id']}", user=farmer).expect(204)

    with market_table.unchanged():
        api.delete(f"/listings/{listing['id']}", user=farmer).expect(404, "LISTING_NOT_FOUND")


# ---------------------------------------------------------------------------- views
def test_a_signed_in_viewer_counts_once_a_day(
    api: Api,
    market: Market,
    market_table: MarketTable,
    farmer: User,
    buyer: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listing = market.listing(farmer)
    today = clock.now()

    api.get(f"/listings/{listing['id']}", user=buyer).expect(200)
    (viewed,) = market_table.outbox_details("ListingViewed")
    assert viewed["listing_id"] == listing["id"]
    assert viewed["viewer_id"] == buyer.id and viewed["farmer_id"] == farmer.id
    assert viewed["crop"] == "maize_grain" and viewed["day"] == today.date().isoformat()
    view = market_table.item(f"VIEW#{listing['id']}#{buyer.id}", today.date().isoformat())
    assert view is not None and view["expires_at"] > clock.epoch()

    with market_table.unchanged():
        api.get(f"/listings/{listing['id']}", user=buyer).expect(200)

    api.get(f"/listings/{listing['id']}", user=new_user("buyer")).expect(200)
    assert len(market_table.outbox("ListingViewed")) == 2

    monkeypatch.setattr(clock, "now", lambda: today + timedelta(days=1))
    api.get(f"/listings/{listing['id']}", user=buyer).expect(200)
    days = sorted(
        d["day"] for d in market_table.outbox_details("ListingViewed") if d["viewer_id"] == buyer.id
    )
    assert days == [today.date().isoformat(), (today + timedelta(days=1)).date().isoformat()]


def _token(api: Api, user: User, **overrides: Any) -> str:
    claims: dict[str, Any] = {
        "user_id": user.id,
        "role": user.role,
        "email": user.email,
        "secret": api.jwt_secret(),
        "issuer": "soko",
        "audience": "soko-api",
        **overrides,
    }
    return tokens.issue_access_token(**claims)


VIEWERS_WHO_COUNT_NOTHING = [
    "owner",
    "anonymous",
    "bad token",
    "not bearer",
    "forged signature",
    "another secret",
    "another audience",
    "another issuer",
    "expired",
]


@pytest.mark.parametrize("who", VIEWERS_WHO_COUNT_NOTHING)
def test_views_by_the_owner_or_anonymous_readers_count_nothing(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User, who: str
) -> None:
    """A token the authorizer would refuse makes an anonymous reader: still a 200, never a view."""
    listing = market.listing(farmer)
    bearer = {
        "bad token": "Bearer not-a-token",
        "not bearer": f"Basic {api.token(buyer)}",
        "forged signature": f"Bearer {api.token(buyer)[:-4]}AAAA",
        "another secret": f"Bearer {_token(api, buyer, secret='x' * 64)}",
        "another audience": f"Bearer {_token(api, buyer, audience='other-api')}",
        "another issuer": f"Bearer {_token(api, buyer, issuer='evil')}",
        "expired": f"Bearer {_token(api, buyer, now=time.time() - 3600)}",
    }
    kwargs: dict[str, Any] = {"user": farmer} if who == "owner" else {}
    if who in bearer:
        kwargs["bearer"] = bearer[who]

    with market_table.unchanged():
        assert api.get(f"/listings/{listing['id']}", **kwargs).expect(200).json == listing


def test_viewing_a_deleted_listing_counts_nothing(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User
) -> None:
    listing = market.listing(farmer)
    api.delete(f"/listings/{listing['id']}", user=farmer).expect(204)

    with market_table.unchanged():
        api.get(f"/listings/{listing['id']}", user=buyer).expect(200)


def test_listing_json_is_what_the_table_holds(api: Api, market: Market, farmer: User) -> None:
    listing = market.listing(farmer, kg="0.001", price=1)

    assert json.loads(api.get(f"/listings/{listing['id']}").expect(200).text)["quantity_kg"] == "0.001"
