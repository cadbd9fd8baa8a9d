"""POST/GET/PATCH /transport/vehicles through their handlers: a transporter's own vehicles, every
field validated into a 422 naming it, the plate one vehicle's, the district copies kept in step
with the vehicle in one transaction, paging by an opaque cursor."""

from __future__ import annotations

from typing import Any

import pytest
from logistics_support import PICKUP, LogisticsTable, World

from support.users import new_user


def test_a_transporter_registers_a_vehicle_with_its_district_copies(
    world: World, table: LogisticsTable
) -> None:
    reply = world.api.post(
        "/transport/vehicles",
        {**PICKUP, "plate": "uaz 045k", "districts": ["gulu", "Lira", "GULU"]},
        user=world.rider,
    ).expect(201)
    vehicle = reply.json
    assert vehicle["plate"] == "UAZ 045K" and vehicle["districts"] == ["Gulu", "Lira"]
    assert (
        vehicle["transporter_id"] == world.rider.id and vehicle["active"] is True and vehicle["version"] == 1
    )
    assert vehicle["days"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    stored = table.item(f"VEHICLE#{vehicle['id']}", "VEHICLE")
    assert stored is not None and stored["gsi1pk"] == f"OWNER#{world.rider.id}"
    for district in ("Gulu", "Lira"):
        copy = table.item(f"DISTRICT#{district}", f"VEHICLE#{vehicle['id']}")
        assert copy is not None and copy["price_per_km_ugx"] == PICKUP["price_per_km_ugx"]
    assert table.item("PLATE#UAZ 045K", "PLATE") == {
        "pk": "PLATE#UAZ 045K",
        "sk": "PLATE",
        "vehicle_id": vehicle["id"],
    }


def test_a_plate_is_one_vehicles(world: World) -> None:
    world.vehicle(plate="UAB 123C")
    world.api.post("/transport/vehicles", {**PICKUP, "plate": "uab123c"}, user=world.trucker).expect(
        409, "PLATE_TAKEN"
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "tractor"}, "type"),
        ({"plate": "KCA 123A"}, "plate"),  # a Kenyan plate
        ({"plate": "U"}, "plate"),
        ({"capacity_kg": 0}, "capacity_kg"),
        ({"capacity_kg": 40001}, "capacity_kg"),
        ({"districts": []}, "districts"),
        ({"districts": ["Atlantis"]}, "districts"),
        ({"districts": ["Gulu"] * 31}, "districts"),
        ({"price_per_km_ugx": 0}, "price_per_km_ugx"),
        ({"price_per_km_ugx": 100001}, "price_per_km_ugx"),
        ({"minimum_fare_ugx": -1}, "minimum_fare_ugx"),
        ({"days": []}, "days"),
        ({"days": ["monday"]}, "days"),
        ({"owner": "someone"}, "owner"),  # unknown fields refused
    ],
)
def test_bad_vehicles_are_422_naming_the_field(world: World, fields: dict[str, Any], field: str) -> None:
    reply = world.api.post("/transport/vehicles", {**PICKUP, **fields}, user=world.rider).expect(422)
    assert any(name.startswith(field) for name in reply.fields), reply.json
    assert "Atlantis" not in reply.text  # an error never echoes the input


@pytest.mark.parametrize("role", ["farmer", "buyer", "both", "admin"])
def test_only_a_transporter_registers_vehicles(world: World, role: str) -> None:
    world.api.post("/transport/vehicles", PICKUP, user=new_user(role)).expect(403)


def test_an_idempotent_retry_registers_once(world: World, table: LogisticsTable) -> None:
    headers = {"Idempotency-Key": "vehicle-key-0001"}
    one = world.api.post("/transport/vehicles", PICKUP, user=world.rider, headers=headers).expect(201).json
    two = world.api.post("/transport/vehicles", PICKUP, user=world.rider, headers=headers).expect(201).json
    assert one == two and len(table.with_prefix("VEHICLE#")) == 1


def test_a_transporter_pages_through_their_own_vehicles(world: World) -> None:
    made = [world.vehicle()["id"] for _ in range(5)]
    world.vehicle(world.trucker)
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = world.api.get("/transport/vehicles", user=world.rider, query=query).expect(200).json
        assert len(page["items"]) <= 2
        seen += [v["id"] for v in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))  # newest first, only the rider's
    tampered = world.api.get("/transport/vehicles", user=world.trucker, query={"cursor": "bm90IGEgY3Vyc29y"})
    tampered.expect(400, "INVALID_CURSOR")


def test_admins_read_a_transporters_vehicles_and_others_may_not(world: World) -> None:
    vehicle = world.vehicle()
    admin = new_user("admin")
    page = world.api.get("/transport/vehicles", user=admin, query={"transporter_id": world.rider.id}).expect(
        200
    )
    assert [v["id"] for v in page.json["items"]] == [vehicle["id"]]
    world.api.get("/transport/vehicles", user=admin).expect(422, "TRANSPORTER_ID_REQUIRED")
    world.api.get("/transport/vehicles", user=world.buyer).expect(403)
    world.api.get("/transport/vehicles", user=world.trucker, query={"transporter_id": world.rider.id}).expect(
        403
    )


def test_a_change_moves_the_district_copies_in_one_transaction(world: World, table: LogisticsTable) -> None:
    vehicle = world.vehicle(districts=["Gulu", "Lira"])
    changed = (
        world.api.patch(
            f"/transport/vehicles/{vehicle['id']}",
            {"districts": ["Lira", "Kampala"], "price_per_km_ugx": 2000, "days": ["sat"]},
            user=world.rider,
        )
        .expect(200)
        .json
    )
    assert (
        changed["districts"] == ["Lira", "Kampala"] and changed["version"] == 2 and changed["days"] == ["sat"]
    )
    assert table.item("DISTRICT#Gulu", f"VEHICLE#{vehicle['id']}") is None
    for district in ("Lira", "Kampala"):
        copy = table.item(f"DISTRICT#{district}", f"VEHICLE#{vehicle['id']}")
        assert copy is not None and copy["price_per_km_ugx"] == 2000 and copy["version"] == 2
    off = world.api.patch(f"/transport/vehicles/{vehicle['id']}", {"active": False}, user=world.rider).expect(
        200
    )
    assert off.json["active"] is False
    assert table.item("DISTRICT#Lira", f"VEHICLE#{vehicle['id']}")["active"] is False  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"active": None}, "active"), ({"plate": "UAB 999C"}, "plate"), ({"days": ["xyz"]}, "days")],
)
def test_bad_changes_are_422(world: World, body: dict[str, Any], field: str) -> None:
    vehicle = world.vehicle()
    reply = world.api.patch(f"/transport/vehicles/{vehicle['id']}", body, user=world.rider).expect(422)
    assert any(name.startswith(field) for name in reply.fields), reply.json


def test_only_its_transporter_changes_a_vehicle(world: World) -> None:
    vehicle = world.vehicle()
    world.api.patch(f"/transport/vehicles/{vehicle['id']}", {"active": False}, user=world.trucker).expect(
        404, "VEHICLE_NOT_FOUND"
    )
    world.api.patch(f"/transport/vehicles/{vehicle['id']}", {"active": False}, user=world.farmer).expect(403)
    world.api.patch("/transport/vehicles/NOPE", {"active": False}, user=world.rider).expect(404)
