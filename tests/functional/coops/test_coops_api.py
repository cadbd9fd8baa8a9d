"""The coops endpoints through their handlers, against moto resources built from template.yaml."""

from __future__ import annotations

import pytest
from coops_support import CoopsWorld

from support.tables import Table
from support.users import new_user


def test_a_farmer_starts_a_coop_and_manages_it(world: CoopsWorld, table: Table) -> None:
    coop = world.coop(crops=["maize", "beans"], fee="2.5")
    assert coop["my_role"] == "manager"
    assert coop["member_count"] == 1
    assert coop["crops"] == ["maize_grain", "yellow_beans"]
    assert coop["fee_percent"] == "2.5"
    assert table.item(f"COOP#{coop['id']}", f"MEMBER#{world.manager.id}")["role"] == "manager"


@pytest.mark.parametrize(
    "body",
    [
        {"district": "Gulu", "crops": ["maize"]},  # no name
        {"name": "Gulu Growers", "district": "Gulu", "crops": []},
        {"name": "Gulu Growers", "district": "Gulu", "crops": ["not a crop"]},
        {"name": "Gulu Growers", "district": "Nowhere", "crops": ["maize"]},
        {"name": "Gulu Growers", "district": "Gulu", "crops": ["maize"], "fee_percent": "20.5"},
        {"name": "Gulu Growers", "district": "Gulu", "crops": ["maize"], "fee_percent": "-1"},
        {"name": "Gulu Growers", "district": "Gulu", "crops": ["maize"], "extra": 1},
    ],
)
def test_a_bad_coop_is_a_4xx(world: CoopsWorld, body: dict[str, object]) -> None:
    reply = world.api.post("/coops", body, user=world.manager)
    assert 400 <= reply.status < 500, reply.body


def test_only_farmers_start_coops(world: CoopsWorld) -> None:
    body = {"name": "Buyers Club", "district": "Gulu", "crops": ["maize"]}
    world.api.post("/coops", body, user=world.buyer).expect(403, "NOT_A_FARMER")
    world.api.post("/coops", body).expect(401)


def test_a_manager_adds_registered_farmers_by_phone_or_id(world: CoopsWorld, table: Table) -> None:
    coop = world.coop()
    first, second = world.farmers[0], world.farmers[1]
    assert first.phone
    local = "0" + first.phone.removeprefix("+256")  # any Ugandan format
    member = (
        world.api.post(f"/coops/{coop['id']}/members", {"phone": local}, user=world.manager).expect(201).json
    )
    assert member["user_id"] == first.id and member["role"] == "member" and member["name"] == "Farmer 0"
    world.api.post(
        f"/coops/{coop['id']}/members", {"user_id": second.id, "role": "manager"}, user=world.manager
    ).expect(201)
    assert table.item(f"COOP#{coop['id']}", "COOP")["member_count"] == 3
    world.api.post(f"/coops/{coop['id']}/members", {"user_id": first.id}, user=world.manager).expect(
        409, "ALREADY_MEMBER"
    )
    assert table.item(f"COOP#{coop['id']}", "COOP")["member_count"] == 3


def test_adding_members_refuses_what_it_should(world: CoopsWorld) -> None:
    coop = world.coop()
    path = f"/coops/{coop['id']}/members"
    world.api.post(path, {"user_id": world.farmers[0].id}, user=world.farmers[1]).expect(403, "NOT_A_MEMBER")
    world.api.post(path, {"user_id": world.farmers[0].id}, user=world.manager).expect(201)
    world.api.post(path, {"user_id": world.farmers[1].id}, user=world.farmers[0]).expect(403, "NOT_A_MANAGER")
    world.api.post(path, {"user_id": world.buyer.id}, user=world.manager).expect(403, "NOT_A_FARMER")
    world.api.post(path, {"phone": "+256700000999"}, user=world.manager).expect(404, "USER_NOT_FOUND")
    world.api.post(path, {"user_id": "01JD0000000000000000000999"}, user=world.manager).expect(
        404, "USER_NOT_FOUND"
    )
    world.api.post(path, {}, user=world.manager).expect(422, "PHONE_OR_USER_ID")
    both = {"phone": "0772000111", "user_id": world.farmers[1].id}
    world.api.post(path, both, user=world.manager).expect(422, "PHONE_OR_USER_ID")
    world.api.post(path, {"phone": "12345678901"}, user=world.manager).expect(422, "INVALID_PHONE")
    reply = world.api.post(path, {"user_id": world.farmers[1].id, "role": "owner"}, user=world.manager)
    assert reply.status in (400, 422)
    world.api.post(
        "/coops/01JD0000000000000000000999/members", {"user_id": world.farmers[1].id}, user=world.manager
    ).expect(404, "COOP_NOT_FOUND")


def test_members_commit_their_crops(world: CoopsWorld, table: Table) -> None:
    coop = world.coop_with_members()
    commitment = world.commit(coop["id"], world.farmers[0], "412.5")
    assert commitment["quantity_kg"] == "412.500" and commitment["allocated_kg"] == "0.000"
    assert commitment["listing_id"] is None
    assert table.item(f"COOP#{coop['id']}", f"COMMIT#{commitment['id']}")["quantity_g"] == 412_500
    path = f"/coops/{coop['id']}/commitments"
    world.api.post(path, {"crop": "beans", "quantity_kg": "10"}, user=world.farmers[0]).expect(
        422, "CROP_NOT_IN_COOP"
    )
    world.api.post(path, {"crop": "maize", "quantity_kg": "10"}, user=world.buyer).expect(403, "NOT_A_MEMBER")
    for bad in (
        {"crop": "maize", "quantity_kg": "0"},
        {"crop": "maize", "quantity_kg": "-3"},
        {"crop": "maize"},
    ):
        reply = world.api.post(path, bad, user=world.farmers[0])
        assert reply.status in (400, 422), reply.body


def test_a_pool_publishes_the_sum_and_later_commitments_join_it(world: CoopsWorld, table: Table) -> None:
    coop = world.coop_with_members()
    world.api.post(
        f"/coops/{coop['id']}/listings",
        {"crop": "maize", "title": "Pooled maize", "price_per_kg": 1100},
        user=world.manager,
    ).expect(409, "NO_OPEN_COMMITMENTS")
    for farmer, kg in zip(world.farmers, ("400", "350.5", "250", "600", "399.5"), strict=True):
        world.commit(coop["id"], farmer, kg)
    pool = world.publish(coop["id"])
    assert pool["quantity_kg"] == "2000.000" and pool["commitments"] == 5 and pool["status"] == "live"
    [published] = world.captured.of("PoolPublished")
    assert published.listing_id == pool["listing_id"] and published.quantity_g == 2_000_000
    assert published.manager_id == world.manager.id and published.district == "Gulu"
    assert table.item(f"LISTING#{pool['listing_id']}", "POOL")["coop_id"] == coop["id"]

    late = world.commit(coop["id"], world.farmers[0], "100")
    assert late["listing_id"] == pool["listing_id"]
    [joined] = world.captured.of("CommitmentPooled")
    assert joined.grams == 100_000 and joined.listing_id == pool["listing_id"]
    assert table.item(f"COOP#{coop['id']}", f"POOL#{pool['listing_id']}")["quantity_g"] == 2_100_000
    world.api.post(
        f"/coops/{coop['id']}/listings",
        {"crop": "maize", "title": "Again", "price_per_kg": 1100},
        user=world.manager,
    ).expect(409, "POOL_LIVE")


def test_only_a_manager_publishes_and_bad_pools_are_4xx(world: CoopsWorld) -> None:
    coop = world.coop_with_members()
    world.commit(coop["id"], world.farmers[0], "100")
    path = f"/coops/{coop['id']}/listings"
    body = {"crop": "maize", "title": "Pooled maize", "price_per_kg": 1100}
    world.api.post(path, body, user=world.farmers[0]).expect(403, "NOT_A_MANAGER")
    world.api.post(path, {**body, "crop": "beans"}, user=world.manager).expect(422, "CROP_NOT_IN_COOP")
    for bad in (
        {**body, "price_per_kg": 0},
        {**body, "title": "x"},
        {**body, "price_per_kg": "1100"},
        {**body, "x": 1},
    ):
        reply = world.api.post(path, bad, user=world.manager)
        assert reply.status in (400, 422), (bad, reply.body)
    assert world.captured.of("PoolPublished") == []


def test_managers_see_everything_members_their_part(world: CoopsWorld) -> None:
    coop = world.coop_with_members()
    world.commit(coop["id"], world.farmers[0], "100")
    world.commit(coop["id"], world.farmers[1], "200")
    full = world.api.get(f"/coops/{coop['id']}", user=world.manager).expect(200).json
    assert len(full["members"]) == 6 and len(full["commitments"]) == 2
    own = world.api.get(f"/coops/{coop['id']}", user=world.farmers[0]).expect(200).json
    assert own["my_role"] == "member"
    assert [m["user_id"] for m in own["members"]] == [world.farmers[0].id]
    assert [c["member_id"] for c in own["commitments"]] == [world.farmers[0].id]
    world.api.get(f"/coops/{coop['id']}", user=world.buyer).expect(403, "NOT_A_MEMBER")
    admin = world.api.get(f"/coops/{coop['id']}", user=new_user("admin")).expect(200).json
    assert len(admin["commitments"]) == 2 and admin["my_role"] is None
    world.api.get("/coops/01JD0000000000000000000999", user=world.manager).expect(404, "COOP_NOT_FOUND")


def test_my_coops(world: CoopsWorld) -> None:
    coop = world.coop_with_members()
    world.commit(coop["id"], world.farmers[2], "75")
    mine = world.api.get("/coops/mine", user=world.farmers[2]).expect(200).json
    assert [(c["id"], c["my_role"]) for c in mine["coops"]] == [(coop["id"], "member")]
    assert [c["quantity_kg"] for c in mine["commitments"]] == ["75.000"]
    assert mine["allocations"] == [] and mine["earnings_ugx"] == 0
    assert world.api.get("/coops/mine", user=world.buyer).expect(200).json["coops"] == []
    world.api.get("/coops/mine").expect(401)
