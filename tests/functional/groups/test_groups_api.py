"""Bulk-buying groups over the handlers, against moto provisioned from template.yaml: POST /groups
(the deadline timer set), GET /groups/{id}, GET /groups?listing_id=, GET /groups/mine, join and leave
with every refusal, completion at the target, 30 concurrent joins, and the documented reads the
clusters use."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from groups_support import Groups, moment

from soko.groups.dal import GroupsDal
from soko.groups.models import MAX_MEMBERS
from soko.shared import clock
from support.gateway import Api
from support.lambda_env import call_handler
from support.moto_serial import serialized_dynamodb
from support.users import User, new_user


def test_a_buyer_starts_a_group_the_deadline_timer_is_set_and_it_is_listed(groups: Groups) -> None:
    listing = groups.listing()
    starter = new_user("buyer")
    group = groups.start(listing, starter, target="2000", quantity="600").expect(201).json
    assert (group["status"], group["target_kg"], group["filled_kg"], group["members"]) == (
        "open",
        "2000.000",
        "600.000",
        1,
    )
    assert (group["tier"], group["next_tier"]) == (None, {"min_kg": "1000", "discount_percent": 5})
    assert (group["price_per_kg"], group["list_price_per_kg"]) == (3800, 3800)
    assert group["mine"]["quantity_kg"] == "600.000" and group["mine"]["status"] == "joined"
    assert (group["crop"], group["district"], group["farmer_id"]) == ("beans", "Lira", listing["farmer_id"])
    schedule = groups.schedule(group["id"])
    assert schedule["ScheduleExpression"] == f"at({group['deadline'][:19]})"

    other = new_user("buyer")
    seen = groups.api.get(f"/groups/{group['id']}", user=other).expect(200).json
    assert seen["mine"] is None and seen["filled_kg"] == "600.000"
    listed = groups.api.get("/groups", query={"listing_id": listing["id"]}, user=other).expect(200).json
    assert [g["id"] for g in listed["items"]] == [group["id"]]
    mine = groups.api.get("/groups/mine", user=starter).expect(200).json
    assert [(g["id"], g["mine"]["quantity_kg"]) for g in mine["items"]] == [(group["id"], "600.000")]
    assert groups.api.get("/groups/mine", user=other).expect(200).json["items"] == []


def test_an_idempotency_key_replays_the_first_group(groups: Groups) -> None:
    listing, buyer = groups.listing(), new_user("buyer")
    body = {
        "listing_id": listing["id"],
        "target_kg": "1500",
        "deadline": clock.iso(clock.now() + timedelta(days=2)),
        "quantity_kg": "100",
    }
    first = (
        groups.api.post("/groups", body, user=buyer, headers={"Idempotency-Key": "group-start-1"})
        .expect(201)
        .json
    )
    again = (
        groups.api.post("/groups", body, user=buyer, headers={"Idempotency-Key": "group-start-1"})
        .expect(201)
        .json
    )
    assert first["id"] == again["id"]
    assert len(groups.table.with_prefix("GROUP#")) == 2  # the group and its starter, once


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"target_kg": "999.999"}, 422, None),  # below the lowest tier
        ({"target_kg": "5000.001"}, 422, None),  # over the stock
        ({"quantity_kg": "2000.001"}, 422, None),  # more than the target
        ({"quantity_kg": "0"}, 422, None),
        ({"quantity_kg": "1.0001"}, 422, None),
        ({"target_kg": "abc"}, 422, None),
        ({"surprise": 1}, 422, None),
        ({"deadline": "2026-12-01T10:00:00"}, 422, None),  # no time zone
    ],
)
def test_bad_starts_are_4xx_and_store_nothing(
    groups: Groups, fields: dict[str, Any], status: int, code: str | None
) -> None:
    listing = groups.listing()
    with groups.table.unchanged():
        groups.start(listing, new_user("buyer"), **fields).expect(status, code)


def test_the_deadline_must_be_1_hour_to_30_days_ahead(groups: Groups) -> None:
    listing, buyer = groups.listing(), new_user("buyer")
    for delta in (timedelta(minutes=59), timedelta(days=30, minutes=1), -timedelta(hours=1)):
        reply = groups.start(listing, buyer, deadline=clock.iso(clock.now() + delta)).expect(422)
        assert reply.error["details"]["field"] == "deadline"
    assert groups.table.with_prefix("GROUP#") == []


def test_who_may_start_a_group_on_which_listing(groups: Groups) -> None:
    farmer = new_user("both")
    groups.start(groups.listing(), new_user("farmer")).expect(403, "BUYERS_ONLY")
    groups.start(groups.listing(farmer=farmer), farmer).expect(403, "OWN_LISTING")
    groups.start({"id": "01JD00000000000000000NOPE0"}, new_user("buyer")).expect(404, "LISTING_NOT_FOUND")
    groups.start(groups.listing(tiers=[]), new_user("buyer")).expect(409, "LISTING_HAS_NO_TIERS")
    groups.start(groups.listing(status="sold_out"), new_user("buyer")).expect(409, "LISTING_NOT_ACTIVE")
    groups.start({"id": ""}, new_user("buyer")).expect(422)
    assert groups.table.with_prefix("GROUP#") == []


def test_reads_refuse_unknown_ids_and_foreign_cursors(groups: Groups) -> None:
    buyer = new_user("buyer")
    groups.api.get("/groups/01JD0000000000000000000000", user=buyer).expect(404, "GROUP_NOT_FOUND")
    groups.api.get("/groups", user=buyer).expect(422)  # listing_id is required
    groups.api.get("/groups", query={"listing_id": "L1", "cursor": "nope"}, user=buyer).expect(
        400, "INVALID_CURSOR"
    )
    groups.api.get("/groups/mine", query={"limit": "0"}, user=buyer).expect(422)


def test_lists_page_with_a_cursor_that_belongs_to_its_list(groups: Groups) -> None:
    listing = groups.listing()
    made = [groups.group(listing)["id"] for _ in range(3)]
    buyer = new_user("buyer")
    first = (
        groups.api.get("/groups", query={"listing_id": listing["id"], "limit": "2"}, user=buyer)
        .expect(200)
        .json
    )
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = (
        groups.api.get(
            "/groups",
            query={"listing_id": listing["id"], "limit": "2", "cursor": first["next_cursor"]},
            user=buyer,
        )
        .expect(200)
        .json
    )
    assert {g["id"] for g in first["items"] + rest["items"]} == set(made)
    other = groups.listing()
    groups.api.get(
        "/groups", query={"listing_id": other["id"], "cursor": first["next_cursor"]}, user=buyer
    ).expect(400, "INVALID_CURSOR")
    groups.api.get("/groups/mine", query={"cursor": first["next_cursor"]}, user=buyer).expect(
        400, "INVALID_CURSOR"
    )


# ---------------------------------------------------------------------------- join and leave
def test_join_and_leave_move_the_fill_and_the_starter_is_told(groups: Groups) -> None:
    starter = new_user("buyer")
    group = groups.group(buyer=starter, target="2000", quantity="500")
    gid = group["id"]
    joiner = new_user("buyer")
    joined = groups.join(gid, joiner, "700.5").expect(200).json
    assert (joined["filled_kg"], joined["members"], joined["mine"]["quantity_kg"]) == (
        "1200.500",
        2,
        "700.500",
    )
    assert joined["tier"] == {"min_kg": "1000", "discount_percent": 5} and joined["price_per_kg"] == 3610
    assert joined["next_tier"] == {"min_kg": "2000", "discount_percent": 10}
    told = groups.bus.notices(gid, "joined")
    assert set(told) == {starter.id}
    assert "1200.5 of 2000 kg" in told[starter.id]["sms"]["en"] and len(told[starter.id]["sms"]["en"]) <= 160
    assert told[starter.id]["sms"]["lg"].startswith("Soko: Omuguzi yeegasse")

    groups.join(gid, joiner, "1").expect(409, "ALREADY_MEMBER")
    left = groups.leave(gid, joiner).expect(200).json
    assert (left["filled_kg"], left["members"], left["mine"]) == ("500.000", 1, None)
    groups.leave(gid, joiner).expect(409, "NOT_A_MEMBER")
    stored = groups.stored(gid)
    assert (stored["filled_g"], stored["members"]) == (500_000, 1)
    assert sum(m["grams"] for m in groups.members(gid)) == stored["filled_g"]


def test_a_join_that_would_overfill_says_how_much_room_is_left(groups: Groups) -> None:
    group = groups.group(target="2000", quantity="1500")
    with groups.table.unchanged():
        reply = groups.join(group["id"], new_user("buyer"), "500.001").expect(409, "WOULD_OVERFILL")
    assert reply.error["details"]["room_kg"] == "500.000"
    assert "500 kg" in reply.error["message"]


def test_who_may_join(groups: Groups) -> None:
    farmer = new_user("both")
    group = groups.group(groups.listing(farmer=farmer))
    with groups.table.unchanged():
        groups.join(group["id"], farmer, "10").expect(403, "OWN_LISTING")
        groups.join(group["id"], new_user("farmer"), "10").expect(403, "BUYERS_ONLY")
        groups.join("01JD0000000000000000000000", new_user("buyer"), "10").expect(404, "GROUP_NOT_FOUND")
        groups.api.post(
            f"/groups/{group['id']}/join", {"quantity_kg": "1", "x": 1}, user=new_user("buyer")
        ).expect(422)
        groups.api.post(f"/groups/{group['id']}/join", {}, user=new_user("buyer")).expect(422)
        groups.api.post(f"/groups/{group['id']}/join", raw_body="{", user=new_user("buyer")).expect(400)
        groups.leave("01JD0000000000000000000000", new_user("buyer")).expect(404, "GROUP_NOT_FOUND")


def test_no_join_or_leave_after_the_deadline(groups: Groups, at: Any) -> None:
    starter = new_user("buyer")
    group = groups.group(buyer=starter)
    at(moment(group["deadline"]))
    with groups.table.unchanged():
        groups.join(group["id"], new_user("buyer"), "10").expect(409, "GROUP_CLOSED")
        groups.leave(group["id"], starter).expect(409, "GROUP_CLOSED")


def test_a_group_takes_at_most_40_members(groups: Groups) -> None:
    group = groups.group(target="2000", quantity="1")
    for _ in range(MAX_MEMBERS - 1):
        groups.join(group["id"], new_user("buyer"), "1").expect(200)
    groups.join(group["id"], new_user("buyer"), "1").expect(409, "GROUP_FULL")
    assert groups.stored(group["id"])["members"] == MAX_MEMBERS == len(groups.members(group["id"]))


# ---------------------------------------------------------------------------- completion at the target
def test_the_join_that_fills_the_target_completes_the_group_once(groups: Groups) -> None:
    starter, other, last = new_user("buyer"), new_user("buyer"), new_user("buyer")
    group = groups.group(buyer=starter, target="2000", quantity="800")
    gid = group["id"]
    groups.join(gid, other, "700").expect(200)
    done = groups.join(gid, last, "500").expect(200).json
    assert (done["status"], done["filled_kg"]) == ("completed", "2000.000")
    assert (done["tier"], done["price_per_kg"], done["next_tier"]) == (
        {"min_kg": "2000", "discount_percent": 10},
        3420,
        None,
    )
    assert done["pay_by"] and done["mine"]["status"] == "ordered"
    [completed] = groups.bus.of("GroupCompleted", gid)
    assert (completed["price_per_kg"], completed["discount_percent"], completed["farmer_id"]) == (
        3420,
        10,
        group["farmer_id"],
    )
    assert completed["pay_by"] == done["pay_by"]
    assert moment(done["pay_by"]) - moment(done["updated_at"]) == timedelta(hours=48)
    assert sorted((m["buyer_id"], m["grams"]) for m in completed["members"]) == sorted(
        [(starter.id, 800_000), (other.id, 700_000), (last.id, 500_000)]
    )
    told = groups.bus.notices(gid, "completed")
    assert set(told) == {starter.id, other.id, last.id}
    assert "Pay UGX 2,736,000 for 800 kg by" in told[starter.id]["sms"]["en"]  # 800 kg x 3,420
    assert "Sasula UGX 2,736,000 ku kg 800" in told[starter.id]["sms"]["lg"]
    assert all(len(n["sms"][lang]) <= 160 for n in told.values() for lang in ("en", "lg"))
    assert groups.stored(gid)["pending"] == {}
    assert (
        groups.api.get("/groups", query={"listing_id": group["listing_id"]}, user=other)
        .expect(200)
        .json["items"]
        == []
    )  # no longer open
    with groups.table.unchanged():
        groups.join(gid, new_user("buyer"), "1").expect(409, "GROUP_CLOSED")
        groups.leave(gid, other).expect(409, "GROUP_CLOSED")
    assert len(groups.bus.of("GroupCompleted", gid)) == 1


def test_a_starter_who_takes_the_whole_target_completes_it_at_once(groups: Groups) -> None:
    group = groups.group(target="1000", quantity="1000")
    assert (group["status"], group["price_per_kg"]) == ("completed", 3610)
    assert len(groups.bus.of("GroupCompleted", group["id"])) == 1


def test_a_completion_the_bus_refused_is_published_by_the_deadline_timer(groups: Groups, at: Any) -> None:
    group = groups.group(target="1000", quantity="400")
    groups.bus.fail = True
    done = groups.join(group["id"], new_user("buyer"), "600").expect(200).json  # the join stands
    assert done["status"] == "completed"
    assert set(groups.stored(group["id"])["pending"]) == {"completed"}
    groups.bus.fail = False
    at(moment(group["deadline"]))
    assert groups.fire(group["id"]) == {"batchItemFailures": []}
    assert len(groups.bus.of("GroupCompleted", group["id"])) == 1
    assert len(groups.bus.notices(group["id"], "completed")) == 2
    assert groups.stored(group["id"])["pending"] == {}


# ---------------------------------------------------------------------------- 30 concurrent joins
def test_30_concurrent_joins_never_overfill_or_miscount(
    groups: Groups, deployment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """30 buyers join at once with 100 kg each a group with room for 1,500 kg: exactly 15 get in
    (the 15th completes it), 15 are told it would overfill; the member items, the fill and the
    responses agree to the gram.

    Every request runs in its own thread, interleaved freely between requests (reads, the join's
    transaction, the completion). moto's TransactWriteItems is not atomic across threads (it
    snapshots whole tables and restores them on a cancellation, undoing other threads' writes),
    where DynamoDB serializes each request: :func:`serialized_dynamodb` gives moto that one
    guarantee, so what is tested is our conditions."""
    serialized_dynamodb(monkeypatch)
    group = groups.group(target="2000", quantity="500")
    gid = group["id"]
    config = deployment.functions["GroupsJoinFunction"]
    for name, value in config.environment.items():  # set once: the threads share the process
        monkeypatch.setenv(name, str(value))
    from soko.shared import config as soko_config  # noqa: PLC0415

    soko_config.load.cache_clear()
    api = Api(lambda _function, event: call_handler(config, event), groups.api.routes)
    buyers = [new_user("buyer") for _ in range(30)]

    def join(buyer: User) -> tuple[int, dict[str, Any]]:
        reply = api.post(f"/groups/{gid}/join", {"quantity_kg": "100"}, user=buyer)
        return reply.status, reply.json

    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(join, buyers))
    soko_config.load.cache_clear()

    accepted = [body for status, body in results if status == 200]
    refused = [body for status, body in results if status != 200]
    assert len(accepted) == 15
    assert len(refused) == 15
    assert {b["error"]["code"] for b in refused} <= {"WOULD_OVERFILL", "GROUP_CLOSED"}
    stored = groups.stored(gid)
    members = groups.members(gid)
    assert stored["filled_g"] == sum(m["grams"] for m in members) == 500_000 + 100_000 * len(accepted)
    assert stored["filled_g"] == stored["target_g"] == 2_000_000
    assert stored["members"] == len(members) == 16
    joined = {buyer.id for buyer, (status, _) in zip(buyers, results, strict=True) if status == 200}
    assert {m["buyer_id"] for m in members} == {group["starter_id"]} | joined
    assert all(b["mine"]["quantity_kg"] == "100.000" for b in accepted)
    assert stored["status"] == "completed"
    [completed] = groups.bus.of("GroupCompleted", gid)
    assert sum(m["grams"] for m in completed["members"]) == 2_000_000 and len(completed["members"]) == 16


# ---------------------------------------------------------------------------- the clusters' reads
def test_open_groups_for_listing_and_by_crop(groups: Groups, at: Any) -> None:
    listing, other = groups.listing(), groups.listing()
    open_one = groups.group(listing)
    groups.group(listing, target="1000", quantity="1000")  # completed: not open
    elsewhere = groups.group(other)
    dal = GroupsDal(groups.table.name)
    assert [g.id for g in dal.open_groups_for_listing(listing["id"])] == [open_one["id"]]
    assert {g.id for g in dal.open_groups_by_crop("beans")} == {open_one["id"], elsewhere["id"]}
    assert dal.open_groups_by_crop("maize_grain") == []
    at(moment(open_one["deadline"]) + timedelta(seconds=1))  # past the deadline, timer not fired yet
    assert dal.open_groups_for_listing(listing["id"]) == []
