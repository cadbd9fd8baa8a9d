"""POST /transport/quotes through its handler: the order's buyer or farmer gets the vehicles that
serve both ends, carry the weight, work that weekday and are free that day, priced by road distance
and weight, cheapest then nearest; each quote stored (TTL) with its price."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from logistics_support import LogisticsTable, World

from soko.logistics import pricing
from soko.shared import clock, places

TOMORROW = clock.now().astimezone(clock.EAT).date() + timedelta(days=1)
GULU_KAMPALA_KM = pricing.road_km(places.DISTRICTS["Gulu"], places.DISTRICTS["Kampala"])


def test_the_buyer_gets_quotes_cheapest_first_and_stored(world: World, table: LogisticsTable) -> None:
    pickup = world.vehicle(districts=["Gulu", "Lira", "Kampala"], price_per_km_ugx=1800)
    lorry = world.vehicle(
        world.trucker, type="lorry", capacity_kg=10000, districts=["Kampala", "Gulu"], price_per_km_ugx=3000
    )
    world.vehicle(type="boda_boda", capacity_kg=120, districts=["Gulu"], price_per_km_ugx=500)  # one end
    order = world.order("500")

    quotes = world.quotes(order["id"])

    assert [q["vehicle_id"] for q in quotes] == [pickup["id"], lorry["id"]]
    first = quotes[0]
    assert first["pickup"] == {"district": "Gulu", "lat": 2.77, "lon": 32.31, "address": None}
    assert first["dropoff"]["district"] == "Kampala"  # the buyer's district
    assert first["distance_km"] == GULU_KAMPALA_KM and first["weight_kg"] == 500.0
    assert first["fare_ugx"] == round(1800 * GULU_KAMPALA_KM)
    assert first["transporter_name"] == "Okot Rider" and first["vehicle_type"] == "pickup"
    assert first["pickup_day"] == TOMORROW.isoformat()
    stored = table.item(f"QUOTE#{first['id']}", "QUOTE")
    assert (
        stored is not None and stored["fare_ugx"] == first["fare_ugx"] and stored["plate"] == pickup["plate"]
    )
    assert 29 * 60 <= stored["expires_at"] - clock.epoch() <= 30 * 60


def test_the_farmer_may_ask_and_nobody_else(world: World) -> None:
    world.vehicle()
    order = world.order()
    assert len(world.quotes(order["id"], world.farmer)) == 1
    world.api.post("/transport/quotes", {"order_id": order["id"]}, user=world.stranger).expect(
        404, "ORDER_NOT_FOUND"
    )
    world.api.post("/transport/quotes", {"order_id": order["id"]}, user=world.rider).expect(
        404, "ORDER_NOT_FOUND"
    )
    world.api.post("/transport/quotes", {"order_id": "NOPE"}, user=world.buyer).expect(404, "ORDER_NOT_FOUND")


def test_an_order_not_confirmed_gets_no_quotes(world: World) -> None:
    order = world.order(confirm=False)
    reply = world.api.post("/transport/quotes", {"order_id": order["id"]}, user=world.buyer).expect(409)
    assert reply.error["code"] == "ORDER_NOT_CONFIRMED" and reply.error["details"] == {"status": "pending"}


def test_only_vehicles_that_fit_are_offered(world: World) -> None:
    small = world.vehicle(capacity_kg=400)
    weekend = world.vehicle(days=["sat", "sun"] if TOMORROW.weekday() < 5 else ["mon"])
    off = world.vehicle()
    world.api.patch(f"/transport/vehicles/{off['id']}", {"active": False}, user=world.rider).expect(200)
    fits = world.vehicle()
    order = world.order("500")
    offered = {q["vehicle_id"] for q in world.quotes(order["id"])}
    assert offered == {fits["id"]}, (small, weekend)


def test_a_vehicle_booked_that_day_is_not_offered_again(world: World) -> None:
    vehicle = world.vehicle()
    first, second = world.order(), world.order()
    quote = world.quotes(first["id"])[0]
    world.book(quote["id"]).expect(201)
    assert world.quotes(second["id"]) == []
    other_day = (TOMORROW + timedelta(days=1)).isoformat()
    assert [q["vehicle_id"] for q in world.quotes(second["id"], pickup_day=other_day)] == [vehicle["id"]]


def test_the_drop_off_is_the_point_given_else_the_orders_delivery_district(world: World) -> None:
    both = world.vehicle(districts=["Gulu", "Lira", "Kampala"])
    world.vehicle(world.trucker, districts=["Gulu", "Kampala"])
    order = world.order(delivery_district="Lira")
    quotes = world.quotes(order["id"])
    assert [q["vehicle_id"] for q in quotes] == [both["id"]] and quotes[0]["dropoff"]["district"] == "Lira"
    point = {"lat": 0.3136, "lon": 32.5811, "address": "Owino market, gate 3"}
    quotes = world.quotes(order["id"], dropoff=point)
    assert len(quotes) == 2
    assert quotes[0]["dropoff"] == {"district": "Kampala", **point}


def test_heavier_loads_pay_per_tonne_km_and_short_trips_the_minimum(world: World) -> None:
    lorry = world.vehicle(
        type="lorry", capacity_kg=20000, districts=["Gulu", "Kampala"], price_per_km_ugx=3000
    )
    order = world.order("3000")
    quote = world.quotes(order["id"])[0]
    assert quote["vehicle_id"] == lorry["id"]
    assert quote["fare_ugx"] == round(
        3000 * GULU_KAMPALA_KM + 2 * GULU_KAMPALA_KM * pricing.TONNE_KM_SURCHARGE_UGX
    )
    near = world.quotes(order["id"], dropoff={"lat": 2.78, "lon": 32.30})[0]  # in Gulu town
    assert near["fare_ugx"] == lorry["minimum_fare_ugx"]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"pickup_day": (TOMORROW - timedelta(days=2)).isoformat()}, "pickup_day", "INVALID_PICKUP_DAY"),
        ({"pickup_day": (TOMORROW + timedelta(days=31)).isoformat()}, "pickup_day", "INVALID_PICKUP_DAY"),
        ({"pickup_day": "tomorrow"}, "pickup_day", "VALIDATION_ERROR"),
        ({"dropoff": {"lat": -1.29, "lon": 36.82}}, "dropoff", "VALIDATION_ERROR"),  # Nairobi
        ({"dropoff": {"lat": 0.31}}, "dropoff", "VALIDATION_ERROR"),
        ({"dropoff": {"lat": 0.31, "lon": 32.58, "address": "x" * 201}}, "dropoff", "VALIDATION_ERROR"),
        ({"vehicle_id": "V"}, "vehicle_id", "VALIDATION_ERROR"),
        ({"order_id": ""}, "order_id", "VALIDATION_ERROR"),
    ],
)
def test_bad_requests_are_422(world: World, fields: dict[str, Any], field: str, code: str) -> None:
    order = world.order()
    reply = world.api.post("/transport/quotes", {"order_id": order["id"], **fields}, user=world.buyer)
    reply.expect(422, code)
    assert any(name.startswith(field) for name in reply.fields), reply.json
