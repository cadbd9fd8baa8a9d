"""POST /transport/bookings and the reads of bookings through their handlers: one transaction claims
the vehicle's day and the order's transport (two bookings of one slot, or two of one order, never
both succeed, even at the same moment from threads), an Idempotency-Key retry returns the same
booking, a lapsed quote is 410; the parties (and admins) read bookings and the track."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from logistics_support import LogisticsTable, World

from soko.shared import clock
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api, Reply
from support.lambda_env import make_invoker
from support.tables import Table
from support.users import new_user

PARALLEL = 8


def _booked(world: World) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A vehicle, a confirmed order and its booking (by the buyer)."""
    vehicle = world.vehicle()
    order = world.order()
    quote = world.quotes(order["id"])[0]
    return vehicle, order, world.book(quote["id"]).expect(201).json


def test_a_booking_claims_the_slot_and_the_orders_transport_in_one_write(
    world: World, table: LogisticsTable
) -> None:
    vehicle, order, booking = _booked(world)

    assert booking["status"] == "requested" and booking["order_id"] == order["id"]
    assert booking["vehicle_id"] == vehicle["id"] and booking["plate"] == vehicle["plate"]
    assert booking["transporter_id"] == world.rider.id and booking["transporter_name"] == "Okot Rider"
    assert (booking["buyer_id"], booking["farmer_id"], booking["booked_by"]) == (
        world.buyer.id,
        world.farmer.id,
        world.buyer.id,
    )
    created = datetime.fromisoformat(booking["created_at"])
    assert datetime.fromisoformat(booking["answer_by"]) - created == timedelta(minutes=30)
    assert booking["audit"] == [
        {"at": booking["created_at"], "by": world.buyer.id, "status": "requested", "note": None}
    ]
    stored = table.booking(booking["id"])
    assert stored is not None and stored["gsi1pk"] == f"TRANSPORTER#{world.rider.id}"
    assert stored["gsi2pk"] == f"ORDER#{order['id']}" and stored["fare_ugx"] == booking["fare_ugx"]
    [slot] = table.slots(vehicle["id"])
    assert slot["sk"] == f"SLOT#{booking['pickup_day']}" and slot["booking_id"] == booking["id"]
    assert slot["expires_at"] > clock.epoch() + 7 * 24 * 3600
    assert table.transport(order["id"]) == {
        "pk": f"ORDER#{order['id']}",
        "sk": "TRANSPORT",
        "order_id": order["id"],
        "booking_id": booking["id"],
        "transporter_id": world.rider.id,
        "vehicle_id": vehicle["id"],
        "fare_ugx": booking["fare_ugx"],
        "status": "requested",
        "booked_by": world.buyer.id,
        "booked_at": booking["created_at"],
    }
    parties = {i["pk"] for i in table.with_prefix("PARTY#")}
    assert parties == {f"PARTY#{world.buyer.id}", f"PARTY#{world.farmer.id}"}
    [booked] = table.outbox_details("TransportBooked")
    assert booked["booking_id"] == booking["id"] and booked["pickup_district"] == "Gulu"
    assert booked["dropoff_district"] == "Kampala" and booked["fare_ugx"] == booking["fare_ugx"]
    [notice] = table.outbox_details("TransportNoticeIssued")
    assert notice["user_id"] == world.rider.id and notice["data"]["booking_id"] == booking["id"]
    assert "Gulu to Kampala" in notice["sms"]["en"] and "okuva e Gulu" in notice["sms"]["lg"]
    assert max(len(notice["sms"]["en"]), len(notice["sms"]["lg"])) <= 160


def test_the_farmer_may_book_and_nobody_else(world: World) -> None:
    world.vehicle()
    order = world.order()
    quote = world.quotes(order["id"])[0]
    world.book(quote["id"], world.stranger).expect(404, "QUOTE_NOT_FOUND")
    world.book(quote["id"], world.rider).expect(404, "QUOTE_NOT_FOUND")
    world.book("NOPE", world.buyer).expect(404, "QUOTE_NOT_FOUND")
    assert world.book(quote["id"], world.farmer).expect(201).json["booked_by"] == world.farmer.id


def test_a_second_booking_of_the_vehicles_day_is_slot_taken(world: World, table: LogisticsTable) -> None:
    vehicle = world.vehicle()
    first, second = world.order(), world.order()
    one, two = world.quotes(first["id"])[0], world.quotes(second["id"])[0]
    world.book(one["id"]).expect(201)
    world.book(two["id"]).expect(409, "SLOT_TAKEN")
    assert table.transport(second["id"]) is None and len(table.slots(vehicle["id"])) == 1
    assert len(table.outbox("TransportBooked")) == 1


def test_a_vehicle_paused_after_its_quote_cannot_be_booked(world: World, table: LogisticsTable) -> None:
    vehicle = world.vehicle()
    order = world.order()
    quote = world.quotes(order["id"])[0]
    world.api.patch(f"/transport/vehicles/{vehicle['id']}", {"active": False}, user=world.rider).expect(200)
    world.book(quote["id"]).expect(409, "VEHICLE_UNAVAILABLE")
    assert table.transport(order["id"]) is None and table.slots(vehicle["id"]) == []
    assert table.outbox("TransportBooked") == []


def test_an_order_gets_one_active_booking(world: World, table: LogisticsTable) -> None:
    world.vehicle()
    world.vehicle(world.trucker)
    order = world.order()
    one, two = world.quotes(order["id"])
    world.book(one["id"]).expect(201)
    world.book(two["id"], world.farmer).expect(409, "ORDER_HAS_TRANSPORT")
    assert table.slots(two["vehicle_id"]) == []


def test_an_ended_booking_lets_the_order_book_again(world: World, table: LogisticsTable) -> None:
    world.vehicle()
    world.vehicle(world.trucker)
    order = world.order()
    one, two = world.quotes(order["id"])
    world.book(one["id"]).expect(201)
    table.table.update_item(  # what the steps do when the booking is declined
        Key={"pk": f"ORDER#{order['id']}", "sk": "TRANSPORT"},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "declined"},
    )
    again = world.book(two["id"]).expect(201).json
    assert table.transport(order["id"])["booking_id"] == again["id"]  # type: ignore[index]


@pytest.fixture
def parallel_api(deployment: Deployment, app_model: AppModel, monkeypatch: pytest.MonkeyPatch) -> Api:
    """The functions' environment set once for all threads (``setenv``)."""
    return Api(make_invoker(deployment, setenv=monkeypatch.setenv), app_model.http_apis[0].routes)


def _at_once(calls: list[Any]) -> list[Reply]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_concurrent_bookings_of_one_slot_let_exactly_one_through(
    world: World, parallel_api: Api, table: LogisticsTable
) -> None:
    vehicle = world.vehicle()
    orders = [world.order("100") for _ in range(PARALLEL)]
    quotes = [world.quotes(o["id"])[0] for o in orders]

    replies = _at_once(
        [
            lambda q=q: parallel_api.post("/transport/bookings", {"quote_id": q["id"]}, user=world.buyer)
            for q in quotes
        ]
    )

    assert sorted(r.status for r in replies) == [201] + [409] * (PARALLEL - 1), [r.text for r in replies]
    assert {r.error["code"] for r in replies if r.status == 409} == {"SLOT_TAKEN"}
    [winner] = [r.json for r in replies if r.status == 201]
    [slot] = table.slots(vehicle["id"])
    assert slot["booking_id"] == winner["id"]
    assert len(table.with_prefix("BOOKING#")) == 1 and len(table.outbox("TransportBooked")) == 1
    assert [o["id"] for o in orders if table.transport(o["id"])] == [winner["order_id"]]


def test_concurrent_bookings_of_one_order_let_exactly_one_through(
    world: World, parallel_api: Api, table: LogisticsTable
) -> None:
    for i in range(4):
        world.vehicle(world.rider if i % 2 else world.trucker)
    order = world.order()
    quotes = world.quotes(order["id"])
    assert len(quotes) == 4

    replies = _at_once(
        [
            lambda q=q, i=i: parallel_api.post(
                "/transport/bookings", {"quote_id": q["id"]}, user=world.buyer if i % 2 else world.farmer
            )
            for i, q in enumerate(quotes)
        ]
    )

    assert sorted(r.status for r in replies) == [201, 409, 409, 409], [r.text for r in replies]
    assert {r.error["code"] for r in replies if r.status == 409} == {"ORDER_HAS_TRANSPORT"}
    assert len(table.with_prefix("BOOKING#")) == 1 and len(table.with_prefix("PARTY#")) == 2
    assert sum(len(table.slots(q["vehicle_id"])) for q in quotes) == 1


def test_an_idempotent_retry_returns_the_same_booking(world: World, table: LogisticsTable) -> None:
    world.vehicle()
    order = world.order()
    quote = world.quotes(order["id"])[0]
    one = world.book(quote["id"], key="book-key-000001").expect(201).json
    two = world.book(quote["id"], key="book-key-000001").expect(201).json
    assert one == two and len(table.with_prefix("BOOKING#")) == 1
    assert len(table.outbox("TransportBooked")) == 1
    world.book(quote["id"]).expect(409, "ORDER_HAS_TRANSPORT")  # without the key: a second attempt


def test_a_lapsed_quote_is_410(world: World, table: LogisticsTable) -> None:
    world.vehicle()
    order = world.order()
    quote = world.quotes(order["id"])[0]
    table.table.update_item(  # TTL removes it eventually; until then the time says it lapsed
        Key={"pk": f"QUOTE#{quote['id']}", "sk": "QUOTE"},
        UpdateExpression="SET expires_at = :t",
        ExpressionAttributeValues={":t": clock.epoch() - 1},
    )
    world.book(quote["id"]).expect(410, "QUOTE_EXPIRED")
    assert table.with_prefix("BOOKING#") == []


def test_an_order_no_longer_confirmed_is_not_booked(world: World, market_table: Table) -> None:
    world.vehicle()
    order = world.order()
    quote = world.quotes(order["id"])[0]
    world.api.post(f"/orders/{order['id']}/cancel", {"reason": "changed my mind"}, user=world.buyer)
    if market_table.item(f"ORDER#{order['id']}", "ORDER")["status"] == "confirmed":  # type: ignore[index]
        market_table.table.update_item(
            Key={"pk": f"ORDER#{order['id']}", "sk": "ORDER"},
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": "cancelled"},
        )
    world.book(quote["id"]).expect(409, "ORDER_NOT_CONFIRMED")


@pytest.mark.parametrize(
    ("body", "field"), [({}, "quote_id"), ({"quote_id": ""}, "quote_id"), ({"quote_id": "Q", "x": 1}, "x")]
)
def test_bad_booking_requests_are_422(world: World, body: dict[str, Any], field: str) -> None:
    reply = world.api.post("/transport/bookings", body, user=world.buyer).expect(422)
    assert field in reply.fields, reply.json


def test_a_bad_idempotency_key_is_422(world: World) -> None:
    world.api.post(
        "/transport/bookings", {"quote_id": "Q"}, user=world.buyer, headers={"Idempotency-Key": "short"}
    ).expect(422)


# ---------------------------------------------------------------------------- reads
def _ids(reply: Reply) -> list[str]:
    return [b["id"] for b in reply.expect(200).json["items"]]


def test_each_party_lists_their_bookings(world: World) -> None:
    _, order, booking = _booked(world)
    for user in (world.buyer, world.farmer, world.rider):
        assert _ids(world.api.get("/transport/bookings", user=user)) == [booking["id"]], user.role
    assert _ids(world.api.get("/transport/bookings", user=world.trucker)) == []
    assert _ids(world.api.get("/transport/bookings", user=world.stranger)) == []
    assert (
        _ids(world.api.get("/transport/bookings", user=world.stranger, query={"order_id": order["id"]})) == []
    )
    for user in (world.buyer, world.rider):
        assert _ids(world.api.get("/transport/bookings", user=user, query={"status": "accepted"})) == []
        assert _ids(world.api.get("/transport/bookings", user=user, query={"status": "requested"})) == [
            booking["id"]
        ]
        assert _ids(world.api.get("/transport/bookings", user=user, query={"order_id": order["id"]})) == [
            booking["id"]
        ]
    admin = new_user("admin")
    assert _ids(world.api.get("/transport/bookings", user=admin, query={"order_id": order["id"]})) == [
        booking["id"]
    ]
    world.api.get("/transport/bookings", user=admin).expect(422, "ORDER_ID_REQUIRED")
    world.api.get("/transport/bookings", user=world.buyer, query={"status": "lost"}).expect(422)


@pytest.mark.parametrize("who", ["buyer", "rider"])
def test_bookings_page_newest_first_with_a_cursor(world: World, who: str) -> None:
    made = []
    for _ in range(5):
        world.vehicle()
    for _ in range(5):
        order = world.order("100")
        made.append(world.book(world.quotes(order["id"])[0]["id"]).expect(201).json["id"])
    user = getattr(world, who)
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = world.api.get("/transport/bookings", user=user, query=query).expect(200).json
        assert len(page["items"]) <= 2
        seen += [b["id"] for b in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))
    foreign = world.api.get("/transport/vehicles", user=world.rider, query={"limit": 1})
    world.vehicle()
    token = world.api.get("/transport/vehicles", user=world.rider, query={"limit": 1}).json["next_cursor"]
    assert foreign.status == 200 and token
    world.api.get("/transport/bookings", user=user, query={"cursor": token}).expect(400, "INVALID_CURSOR")


def test_a_booking_is_read_by_its_parties_and_admins_with_its_track(
    world: World, table: LogisticsTable
) -> None:
    _, _, booking = _booked(world)
    start = clock.now()
    with table.table.batch_writer() as batch:  # what the tracking writes: 205 fixes
        for n in range(205):
            at = clock.iso(start + timedelta(seconds=10 * n))
            batch.put_item(
                Item={
                    "pk": f"BOOKING#{booking['id']}",
                    "sk": f"POS#{at}#0",
                    "lat": Decimal("2.7"),
                    "lon": 32,
                    "at": at,
                }
            )
    for user in (world.buyer, world.farmer, world.rider, new_user("admin")):
        shown = world.api.get(f"/transport/bookings/{booking['id']}", user=user).expect(200).json
        assert shown["id"] == booking["id"] and shown["status"] == "requested"
    track = shown["track"]
    assert len(track) == 200 and track[0]["at"] == clock.iso(start + timedelta(seconds=50))
    assert [f["at"] for f in track] == sorted(f["at"] for f in track)
    for user in (world.stranger, world.trucker):
        world.api.get(f"/transport/bookings/{booking['id']}", user=user).expect(404, "BOOKING_NOT_FOUND")
    world.api.get("/transport/bookings/NOPE", user=world.buyer).expect(404, "BOOKING_NOT_FOUND")


def test_a_fix_past_its_retention_is_not_shown_before_the_ttl_sweeper_removes_it(
    world: World, table: LogisticsTable
) -> None:
    _, _, booking = _booked(world)
    now = clock.now()
    for n, expires_at in enumerate((clock.epoch() - 60, clock.epoch() + 86_400)):  # lapsed, kept
        at = clock.iso(now + timedelta(seconds=10 * n))
        table.table.put_item(
            Item={
                "pk": f"BOOKING#{booking['id']}",
                "sk": f"POS#{at}#0",
                "lat": Decimal("2.7"),
                "lon": 32,
                "at": at,
                "expires_at": expires_at,
            }
        )
    track = world.api.get(f"/transport/bookings/{booking['id']}", user=world.buyer).expect(200).json["track"]
    assert [f["at"] for f in track] == [clock.iso(now + timedelta(seconds=10))]
