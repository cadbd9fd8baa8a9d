"""Hidden listings: an admin's takedown and restore (POST /admin/listings/{id}/takedown|restore),
and the listings of a farmer identity suspends (the market's consumer of UserSuspended and
UserReinstated). A hidden listing leaves browse, is not found but by its farmer (who sees why) and
admins, and cannot be ordered; each admin action publishes the market's AdminActionTaken in the
same transaction (the outbox)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from market_support import Market, MarketTable

from soko.identity.events import UserReinstated, UserSuspended
from soko.market.events import AdminActionTaken
from soko.shared import ids
from support.events import eventbridge_event, sqs_event
from support.gateway import Api
from support.lambda_env import Invoke
from support.users import User, new_user

CONSUMER = "MarketSuspensionsConsumerFunction"
REASON = {"reason": "the photos are of another farm's crop"}
INDEX_ATTRIBUTES = {f"gsi{n}{part}" for n in range(1, 9) for part in ("pk", "sk")}


def browse_ids(api: Api, **query: Any) -> list[str]:
    reply = api.get("/listings/", query={"limit": 100, **query}).expect(200)
    return [item["id"] for item in reply.json["items"]]


def visible_anywhere(api: Api, listing: dict[str, Any]) -> bool:
    lists = [
        browse_ids(api),
        browse_ids(api, sort="price"),
        browse_ids(api, crop=listing["crop"]),
        browse_ids(api, district=listing["district"]),
        browse_ids(api, farmer_id=listing["farmer_id"]),
        browse_ids(api, q=listing["title"].split()[1]),
    ]
    return any(listing["id"] in found for found in lists)


def takedown(api: Api, listing_id: str, admin: User, body: Any = REASON) -> Any:
    return api.post(f"/admin/listings/{listing_id}/takedown", body, user=admin)


def restore(api: Api, listing_id: str, admin: User, body: Any = REASON) -> Any:
    return api.post(f"/admin/listings/{listing_id}/restore", body, user=admin)


def suspension(kind: type[UserSuspended] | type[UserReinstated], user: User, **fields: Any) -> dict[str, Any]:
    detail = kind(user_id=user.id, role="farmer", reason="fraud reports", by=ids.ulid(), **fields)
    return eventbridge_event(kind.SOURCE, kind.DETAIL_TYPE, json.loads(detail.model_dump_json()))


def consume(invoke: Invoke, *events: dict[str, Any]) -> list[Any]:
    result = invoke(CONSUMER, sqs_event(*events))
    return list(result["batchItemFailures"])


# ---------------------------------------------------------------------------- takedown
def test_a_takedown_hides_the_listing_from_browse_get_and_ordering(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User, admin: User
) -> None:
    listing = market.listing(farmer)
    assert visible_anywhere(api, listing)

    reply = takedown(api, listing["id"], admin).expect(200)

    assert reply.json["status"] == "hidden"
    assert reply.json["moderation"]["taken_down"] is True
    assert not visible_anywhere(api, listing)
    assert not INDEX_ATTRIBUTES & set(market_table.listing(listing["id"]))
    api.get(f"/listings/{listing['id']}").expect(404, "LISTING_NOT_FOUND")
    api.get(f"/listings/{listing['id']}", user=buyer).expect(404, "LISTING_NOT_FOUND")
    api.post("/orders/", {"listing_id": listing["id"], "quantity_kg": "5"}, user=buyer).expect(
        409, "LISTING_UNAVAILABLE"
    )
    assert market_table.with_prefix("ORDER#") == []


def test_the_farmer_and_admins_still_see_a_taken_down_listing_and_the_farmer_sees_why(
    api: Api, market: Market, farmer: User, admin: User
) -> None:
    listing = market.listing(farmer)
    takedown(api, listing["id"], admin).expect(200)

    own = api.get(f"/listings/{listing['id']}", user=farmer).expect(200).json
    assert own["status"] == "hidden"
    assert own["moderation"] == {
        "taken_down": True,
        "reason": REASON["reason"],
        "taken_down_at": own["moderation"]["taken_down_at"],
        "farmer_suspended": False,
    }
    other_admin = new_user("admin")
    assert (
        api.get(f"/listings/{listing['id']}", user=other_admin).expect(200).json["moderation"]["taken_down"]
    )


def test_a_takedown_publishes_the_markets_admin_action_in_its_transaction(
    api: Api, market: Market, market_table: MarketTable, farmer: User, admin: User
) -> None:
    listing = market.listing(farmer)
    takedown(api, listing["id"], admin).expect(200)

    [action] = market_table.outbox_details("AdminActionTaken")
    [outbox] = market_table.outbox("AdminActionTaken")
    assert outbox["source"] == AdminActionTaken.SOURCE == "soko.listings"
    parsed = AdminActionTaken.model_validate(action)
    assert (parsed.admin_id, parsed.action, parsed.target_type, parsed.target_id, parsed.reason) == (
        admin.id,
        "listing.takedown",
        "listing",
        listing["id"],
        REASON["reason"],
    )
    updated = [d for d in market_table.outbox_details("ListingUpdated") if d["listing_id"] == listing["id"]]
    assert [d["status"] for d in updated] == ["hidden"]


def test_the_farmers_edit_of_a_taken_down_listing_keeps_it_hidden(
    api: Api, market: Market, farmer: User, admin: User
) -> None:
    listing = market.listing(farmer)
    takedown(api, listing["id"], admin).expect(200)

    edited = api.put(f"/listings/{listing['id']}", {"price_per_kg": 1300}, user=farmer).expect(200).json

    assert edited["status"] == "hidden"
    assert not visible_anywhere(api, listing)


# ---------------------------------------------------------------------------- restore
def test_a_restore_brings_the_listing_back_and_it_can_be_ordered(
    api: Api, market: Market, market_table: MarketTable, farmer: User, buyer: User, admin: User
) -> None:
    listing = market.listing(farmer)
    takedown(api, listing["id"], admin).expect(200)

    reply = restore(api, listing["id"], admin, {"reason": "the farmer proved the photos are his"}).expect(200)

    assert reply.json["status"] == "active"
    assert reply.json["moderation"] is None
    assert visible_anywhere(api, listing)
    assert api.get(f"/listings/{listing['id']}", user=buyer).expect(200).json["moderation"] is None
    market.order(buyer, listing["id"], "5")
    actions = [a["action"] for a in market_table.outbox_details("AdminActionTaken")]
    assert sorted(actions) == ["listing.restore", "listing.takedown"]


# ---------------------------------------------------------------------------- refused
@pytest.mark.parametrize("role", ["farmer", "buyer", "both"])
@pytest.mark.parametrize("action", [takedown, restore])
def test_only_admins_take_down_or_restore(
    api: Api, market: Market, market_table: MarketTable, farmer: User, role: str, action: Any
) -> None:
    listing = market.listing(farmer)
    caller = farmer if role == "farmer" else new_user(role)
    with market_table.unchanged():
        action(api, listing["id"], caller).expect(403, "FORBIDDEN")


@pytest.mark.parametrize(
    "body",
    [{}, {"reason": ""}, {"reason": "  "}, {"reason": "x" * 501}, {"reason": 12}, {**REASON, "extra": 1}],
)
@pytest.mark.parametrize("action", [takedown, restore])
def test_a_reason_is_required(
    api: Api, market: Market, market_table: MarketTable, farmer: User, admin: User, body: Any, action: Any
) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        reply = action(api, listing["id"], admin, body).expect(422, "VALIDATION_ERROR")
    assert reply.fields & {"reason", "extra"}


@pytest.mark.parametrize("action", [takedown, restore])
def test_an_unknown_or_deleted_listing_is_not_found(
    api: Api, market: Market, farmer: User, admin: User, action: Any
) -> None:
    action(api, ids.ulid(), admin).expect(404, "LISTING_NOT_FOUND")
    listing = market.listing(farmer)
    api.delete(f"/listings/{listing['id']}", user=farmer).expect(204)
    action(api, listing["id"], admin).expect(404, "LISTING_NOT_FOUND")


@pytest.mark.parametrize("listing_id", ["x" * 41, "not an id", "semi;colon"])
@pytest.mark.parametrize("action", [takedown, restore])
def test_a_malformed_listing_id_is_422(api: Api, admin: User, listing_id: str, action: Any) -> None:
    action(api, listing_id, admin).expect(422, "VALIDATION_ERROR")


def test_twice_taken_down_or_restoring_a_listing_not_taken_down_is_a_conflict(
    api: Api, market: Market, farmer: User, admin: User
) -> None:
    listing = market.listing(farmer)
    restore(api, listing["id"], admin).expect(409, "LISTING_NOT_TAKEN_DOWN")
    takedown(api, listing["id"], admin).expect(200)
    takedown(api, listing["id"], admin).expect(409, "LISTING_ALREADY_TAKEN_DOWN")


# ---------------------------------------------------------------------------- suspended farmers
def test_a_suspended_farmers_listings_are_hidden_and_reinstating_shows_them(
    api: Api, market: Market, invoke: Invoke, farmer: User, buyer: User
) -> None:
    listings = [market.listing(farmer, crop=crop) for crop in ("maize", "beans", "cassava")]
    other = market.listing(new_user("farmer"))

    assert consume(invoke, suspension(UserSuspended, farmer)) == []

    assert not any(visible_anywhere(api, listing) for listing in listings)
    assert visible_anywhere(api, other)
    own = api.get(f"/listings/{listings[0]['id']}", user=farmer).expect(200).json
    assert own["moderation"] == {
        "taken_down": False,
        "reason": None,
        "taken_down_at": None,
        "farmer_suspended": True,
    }
    api.get(f"/listings/{listings[0]['id']}", user=buyer).expect(404)
    api.post("/orders/", {"listing_id": listings[1]["id"], "quantity_kg": "5"}, user=buyer).expect(409)

    assert consume(invoke, suspension(UserReinstated, farmer)) == []

    assert all(visible_anywhere(api, listing) for listing in listings)
    market.order(buyer, listings[1]["id"], "5")


def test_the_same_suspension_twice_changes_nothing_more(
    api: Api, market: Market, market_table: MarketTable, invoke: Invoke, farmer: User
) -> None:
    market.listing(farmer)
    event = suspension(UserSuspended, farmer)
    assert consume(invoke, event) == []
    before = market_table.snapshot()

    redelivered = {**event, "id": "another-eventbridge-id"}  # the same event_id
    assert consume(invoke, redelivered) == []
    assert market_table.snapshot() == before
    # the same change under a new event id (identity published it twice): nothing more to hide
    again = suspension(UserSuspended, farmer)
    assert consume(invoke, again) == []
    listing_items = [i for i in market_table.with_prefix("LISTING#")]
    assert [i["version"] for i in listing_items] == [2]


def test_reinstating_never_brings_back_a_listing_an_admin_took_down(
    api: Api, market: Market, invoke: Invoke, farmer: User, admin: User
) -> None:
    kept, taken = market.listing(farmer), market.listing(farmer, crop="beans")
    takedown(api, taken["id"], admin).expect(200)

    assert consume(invoke, suspension(UserSuspended, farmer)) == []
    assert consume(invoke, suspension(UserReinstated, farmer)) == []

    assert visible_anywhere(api, kept)
    assert not visible_anywhere(api, taken)
    assert api.get(f"/listings/{taken['id']}", user=farmer).expect(200).json["moderation"]["taken_down"]


def test_a_restore_while_the_farmer_is_suspended_waits_for_the_reinstatement(
    api: Api, market: Market, invoke: Invoke, farmer: User, admin: User
) -> None:
    listing = market.listing(farmer)
    takedown(api, listing["id"], admin).expect(200)
    assert consume(invoke, suspension(UserSuspended, farmer)) == []

    restored = restore(api, listing["id"], admin).expect(200).json

    assert restored["status"] == "hidden"
    assert restored["moderation"]["farmer_suspended"] is True
    assert restored["moderation"]["taken_down"] is False
    assert not visible_anywhere(api, listing)
    assert consume(invoke, suspension(UserReinstated, farmer)) == []
    assert visible_anywhere(api, listing)


def test_a_late_older_reinstatement_does_not_lift_a_newer_suspension(
    api: Api, market: Market, invoke: Invoke, farmer: User
) -> None:
    listing = market.listing(farmer)
    now = datetime.now(UTC)
    assert consume(invoke, suspension(UserSuspended, farmer, occurred_at=now)) == []

    late = suspension(UserReinstated, farmer, occurred_at=now - timedelta(minutes=5))
    assert consume(invoke, late) == []

    assert not visible_anywhere(api, listing)


def test_a_malformed_suspension_event_fails_its_record_alone(
    api: Api, market: Market, invoke: Invoke, farmer: User
) -> None:
    listing = market.listing(farmer)
    good = suspension(UserSuspended, farmer)
    bad = eventbridge_event("soko.users", "UserSuspended", {"event_id": ids.ulid(), "user_id": farmer.id})
    wrong_kind = eventbridge_event("soko.users", "UserRegistered", {"event_id": ids.ulid()})

    failures = invoke(CONSUMER, sqs_event(good, bad, wrong_kind))["batchItemFailures"]

    assert len(failures) == 2
    assert not visible_anywhere(api, listing)
