"""A transporter on a basic phone (issue 17), through UssdFunction in-process against moto from the
template: registering as a transporter (or a buyer) by USSD, "2 My jobs" read from the logistics
table, and a booked job accepted, picked up and delivered with the buyer's delivery code, the booking
and the order changing as the app's routes would change them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3
import pytest
from conftest import REGION, Handset

from soko.identity.public import hash_secret
from soko.logistics.public import LogisticsReads
from soko.market.dal import MarketDal
from soko.market.models import PAID
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import Invoke
from support.users import User

PHONE = "+256772000444"
PIN = "2468"

MakeHandset = Callable[[str], Handset]


def profile_of(users_table: Any, phone: str) -> dict[str, Any]:
    user_id = users_table.get_item(Key={"pk": f"PHONE#{phone}", "sk": "PHONE"})["Item"]["user_id"]
    return dict(users_table.get_item(Key={"pk": f"USER#{user_id}", "sk": "PROFILE"})["Item"])


def register_transporter(handset: MakeHandset, phone: str = PHONE, name: str = "Okello Denis") -> Handset:
    h = handset(phone)
    end = h.dial("5", "2", name, "Gulu", PIN, PIN)
    assert end.text == (
        f"END Welcome to Soko, {name}! Dial again and choose 3 Add vehicle (or add it in the Soko app), "
        "then 2 for your jobs."
    )
    return h


# ---------------------------------------------------------------------------- registering
def test_a_transporter_registers_by_ussd_and_item_2_becomes_my_jobs(
    handset: MakeHandset, users_table: Any
) -> None:
    h = handset(PHONE)
    assert h.dial("5").text.endswith("Or join as:\n1 Buyer\n2 Transporter")
    assert h.send("5*2").text == "CON Join as a transporter. Enter your name:"
    assert h.send("5*2*1").text.startswith("CON Letters only, 2-30. Join as a transporter.")
    register_transporter(handset)

    profile = profile_of(users_table, PHONE)
    assert (profile["role"], profile["district"], profile["phone"]) == ("transporter", "Gulu", PHONE)
    assert "email" not in profile and "password_hash" not in profile
    main = handset(PHONE).dial()
    assert main.text.startswith("CON Soko\n1 Check prices\n2 My jobs\n3 Add vehicle\n5 Register")
    assert handset(PHONE).dial("2").text == (
        "END You have no jobs now. Buyers book the vehicles you add (3 Add vehicle, or in the Soko app)."
    )
    assert handset(PHONE).dial("3").text.startswith("CON Add vehicle. Type:\n1 Boda-boda")
    assert handset(PHONE).dial("5").text.startswith("END You are registered as Okello Denis.")


def test_a_buyer_registers_by_ussd_and_keeps_my_orders(handset: MakeHandset, users_table: Any) -> None:
    end = handset(PHONE).dial("5", "1", "Nakato Sarah", "Kampala", PIN, PIN)
    assert end.text.startswith("END Welcome to Soko, Nakato Sarah! Order in the Soko app;")
    assert profile_of(users_table, PHONE)["role"] == "buyer"
    assert handset(PHONE).dial().text.startswith("CON Soko\n1 Check prices\n2 My orders")
    assert handset(PHONE).dial("2").text == "END You have no orders yet."


def test_a_farmer_still_registers_with_the_old_keystrokes(handset: MakeHandset, users_table: Any) -> None:
    assert (
        handset(PHONE)
        .dial("5", "Akello Grace", "Gulu", PIN, PIN)
        .text.startswith("END Welcome to Soko, Akello Grace! Dial again to sell your produce.")
    )
    assert profile_of(users_table, PHONE)["role"] == "farmer"


def test_registering_in_luganda_as_a_transporter(handset: MakeHandset, users_table: Any) -> None:
    h = handset(PHONE)
    assert h.dial("6", "2").text == "END Olulimi: Luganda."
    assert h.dial("5").text.endswith("Oba wewandiise nga:\n1 Omuguzi\n2 Omutambuza")
    end = h.dial("5", "2", "Okello Denis", "Gulu", PIN, PIN)
    assert end.text.startswith("END Tukwaniriza ku Soko, Okello Denis!"), end.text
    assert profile_of(users_table, PHONE)["role"] == "transporter"
    assert handset(PHONE).dial().text.startswith("CON Soko\n1 Bbeeyi\n2 Emirimu gyange")


# ---------------------------------------------------------------------------- 2 My jobs, read from logistics
def _booking_item(n: int, transporter_id: str, status: str) -> dict[str, Any]:
    """A booking as the logistics table stores it (soko.logistics.models.Booking and its indexes)."""
    created = f"2026-12-0{n}T08:00:00Z"
    return {
        "pk": f"BOOKING#b{n}",
        "sk": "BOOKING",
        "gsi1pk": f"TRANSPORTER#{transporter_id}",
        "gsi1sk": f"{created}#b{n}",
        "gsi2pk": f"ORDER#o{n}",
        "gsi2sk": f"{created}#b{n}",
        "id": f"b{n}",
        "order_id": f"o{n}",
        "quote_id": f"q{n}",
        "vehicle_id": "v1",
        "vehicle_type": "pickup",
        "plate": "UBA 123X",
        "transporter_id": transporter_id,
        "transporter_name": "Okello Denis",
        "buyer_id": "buyer",
        "farmer_id": "farmer",
        "booked_by": "buyer",
        "status": status,
        "fare_ugx": 100_000 + n,
        "distance_km": 330,
        "weight_kg": 500,
        "pickup_day": f"2026-12-1{n}",
        "pickup": {"district": "Gulu", "lat": Decimal("2.77"), "lon": Decimal("32.3")},
        "dropoff": {"district": "Kampala", "lat": Decimal("0.31"), "lon": Decimal("32.58")},
        "answer_by": created,
        "created_at": created,
        "updated_at": created,
        "version": 1,
        "audit": [],
    }


def test_my_jobs_lists_the_active_bookings_newest_first(
    handset: MakeHandset, users_table: Any, deployment: Deployment
) -> None:
    register_transporter(handset)
    transporter = profile_of(users_table, PHONE)["id"]
    table = boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["LogisticsTable"])
    statuses = ["requested", "delivered", "accepted", "cancelled", "picked_up", "expired", "requested"]
    for n, status in enumerate(statuses, 1):
        table.put_item(Item=_booking_item(n, transporter, status))
    table.put_item(Item=_booking_item(8, "someone-else", "requested"))

    listing = handset(PHONE).dial("2")

    # newest first, ended ones left out, at most 4; the orders are unknown to the market: no crop, the
    # weight instead; four long lines cut their district names alike to leave room for a hint
    assert listing.text == (
        "CON Your jobs (UGX):\n"
        "1 500kg Gulu>Kampal 100,007 new\n"
        "2 500kg Gulu>Kampal 100,005 on way\n"
        "3 500kg Gulu>Kampal 100,003 accepted\n"
        "4 500kg Gulu>Kampal 100,001 new\n"
        "0 Back"
    )
    assert handset(PHONE).dial("2", "5").text.startswith("CON Invalid choice. Your jobs (UGX):\n1 500kg")
    job = handset(PHONE).dial("2", "2")
    assert job.text == (
        "CON On its way: 500kg\nGulu to Kampala, UGX 100,005\n1 Delivered: enter buyer's code\n0 Back"
    )


@pytest.mark.parametrize("language", ["en", "lg"])
def test_the_jobs_screens_fit_in_both_languages(
    handset: MakeHandset, users_table: Any, deployment: Deployment, language: str
) -> None:
    h = register_transporter(handset)
    if language == "lg":
        h.dial("6", "2")
    transporter = profile_of(users_table, PHONE)["id"]
    table = boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["LogisticsTable"])
    for n, status in enumerate(["requested", "accepted", "picked_up", "requested"], 1):
        item = _booking_item(n, transporter, status)
        item["pickup"]["district"], item["dropoff"]["district"] = "Nakapiripirit", "Kyankwanzi"
        item["fare_ugx"] = 10_000_000
        table.put_item(Item=item)
    for inputs in (
        ("2",),
        ("2", "9"),
        ("2", "1"),
        ("2", "2"),
        ("2", "3"),
        ("2", "1", "1"),
        ("2", "1", "1", "0"),
    ):
        handset(PHONE).dial(*inputs)  # every screen is checked: 200, CON/END, ASCII, 182 characters


# ---------------------------------------------------------------------------- a booked job, end to end
CODE = "482913"
VEHICLE = {
    "type": "pickup",
    "plate": "UBA 123C",
    "capacity_kg": 1500,
    "districts": ["Gulu", "Kampala"],
    "price_per_km_ugx": 1800,
    "minimum_fare_ugx": 30000,
    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
}


@dataclass
class AppApi(Api):
    tables: dict[str, str] = field(default_factory=dict)  # logical id -> physical name


@pytest.fixture
def api(invoke: Invoke, app_model: AppModel, deployment: Deployment) -> AppApi:
    return AppApi(invoke, app_model.http_apis[0].routes, tables=dict(deployment.physical))


def _account(api: AppApi, role: str, name: str, district: str) -> User:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": "Soko-test-2026!", "role": role, "fullName": name}
    user = User(api.post("/auth/register", body).expect(201).json["id"], role, email)
    api.put("/users/me", {"district": district}, user=user).expect(200)
    return user


@dataclass
class Booked:
    transporter: User
    farmer: User
    buyer: User
    order_id: str
    booking: dict[str, Any]


def _book(
    api: AppApi, transporter: User, farmer: User, buyer: User, *, plate: str | None = "UBA 123C"
) -> Booked:
    """The transporter's vehicle (none when ``plate`` is None: it is registered already), a paid
    order confirmed by the farmer (its buyer's delivery PIN is CODE), and its transport booked by
    the buyer from the cheapest quote: all through the API, but the payment, set on the order as
    the payments consumer would."""
    if plate is not None:
        api.post("/transport/vehicles", {**VEHICLE, "plate": plate}, user=transporter).expect(201)
    listing = api.post(
        "/listings/",
        {
            "title": "Dry maize",
            "crop": "maize",
            "price_per_kg": 1100,
            "quantity_kg": "20000",
            "district": "Gulu",
        },
        user=farmer,
    ).expect(201)
    order = api.post("/orders/", {"listing_id": listing.json["id"], "quantity_kg": "500"}, user=buyer).expect(
        201
    )
    order_id = str(order.json["id"])
    api.patch(f"/orders/{order_id}/status", {"new_status": "confirmed"}, user=farmer).expect(200)
    [quote, *_] = api.post("/transport/quotes", {"order_id": order_id}, user=buyer).expect(200).json["items"]
    assert quote["transporter_id"] == transporter.id
    booking = api.post("/transport/bookings", {"quote_id": quote["id"]}, user=buyer).expect(201).json
    market = MarketDal(api.tables["MarketTable"])
    market.set_payment_status(order_id, PAID, 2, "2026-11-21T09:30:00Z")
    assert market.issue_pin(order_id, hash_secret(CODE), 5, "2026-11-21T09:31:00Z")
    return Booked(transporter, farmer, buyer, order_id, dict(booking))


def _state(api: AppApi, booked: Booked) -> tuple[str, str, str]:
    """The booking's status (GET /transport/bookings/{id}), the order's transport item's and the
    order's own (GET /orders/{id})."""
    booking = api.get(f"/transport/bookings/{booked.booking['id']}", user=booked.buyer).expect(200).json
    transport = LogisticsReads(api.tables["LogisticsTable"]).order_transport(booked.order_id)
    order = api.get(f"/orders/{booked.order_id}", user=booked.buyer).expect(200).json
    return booking["status"], transport.status if transport else "", order["status"]


def test_a_transporter_registered_by_ussd_accepts_picks_up_and_delivers_with_the_buyers_pin(
    handset: MakeHandset, users_table: Any, api: AppApi
) -> None:
    register_transporter(handset)
    transporter = User(profile_of(users_table, PHONE)["id"], "transporter")
    booked = _book(
        api,
        transporter,
        _account(api, "farmer", "Amina Achieng", "Gulu"),
        _account(api, "buyer", "Kampala Fresh Foods", "Kampala"),
    )
    fare = f"{booked.booking['fare_ugx']:,}"
    assert _state(api, booked) == ("requested", "requested", "confirmed")

    h = handset(PHONE)
    assert h.dial("2").text == f"CON Your jobs (UGX):\n1 Maize Gulu>Kampala {fare} new\n0 Back"
    assert h.send("2*1").text.startswith("CON New job: 500kg Maize\nGulu to Kampala\nPick up ")
    assert h.send("2*1*1").text == "CON Accept this job?\nEnter your PIN to confirm or 0 to cancel:"
    assert h.send("2*1*1*1111").text.startswith("CON Wrong PIN, 2 left.")
    accepted = h.send("2*1*1*1111*" + PIN)
    assert accepted.text.startswith("END Job accepted.")
    assert h.send("2*1*1*1111*" + PIN).text == accepted.text  # the gateway retries: the same screen, once
    assert _state(api, booked) == ("accepted", "accepted", "confirmed")

    h = handset(PHONE)
    assert h.dial("2").text.endswith(f"1 Maize Gulu>Kampala {fare} accepted\n0 Back")
    assert h.send("2*1").text.endswith("\n1 Picked up\n2 Cancel\n0 Back")
    assert h.send("2*1*1*" + PIN).text == "END Marked as picked up. The buyer gets an SMS."
    assert _state(api, booked)[:2] == ("picked_up", "picked_up")

    h = handset(PHONE)
    assert h.dial("2", "1").text.endswith(f"UGX {fare}\n1 Delivered: enter buyer's code\n0 Back")
    assert h.send("2*1*1*" + PIN).text == "CON Enter the buyer's 6-digit delivery code or 0 to cancel:"
    wrong = h.send("2*1*1*" + PIN + "*111111")
    assert wrong.text.startswith("CON Wrong code, 4 left. Enter the buyer's 6-digit delivery code")
    assert _state(api, booked)[0] == "picked_up"
    done = h.send("2*1*1*" + PIN + "*111111*" + CODE)
    assert done.text == "END Delivered: the buyer confirmed with the code. You are paid from the order."
    assert h.send("2*1*1*" + PIN + "*111111*" + CODE).text == done.text  # a retry: nothing redone

    assert _state(api, booked) == ("delivered", "delivered", "completed")
    order = api.get(f"/orders/{booked.order_id}", user=booked.buyer).expect(200).json
    assert order["released_by"] == "pin"
    booking = api.get(f"/transport/bookings/{booked.booking['id']}", user=booked.buyer).expect(200).json
    assert [(s["status"], s["by"]) for s in booking["audit"]][-3:] == [
        ("accepted", transporter.id),
        ("picked_up", transporter.id),
        ("delivered", transporter.id),
    ]
    assert handset(PHONE).dial("2").text.startswith("END You have no jobs now.")


def test_a_transporter_declines_a_job_and_cancels_an_accepted_one(
    handset: MakeHandset, users_table: Any, api: AppApi
) -> None:
    register_transporter(handset)
    transporter = User(profile_of(users_table, PHONE)["id"], "transporter")
    farmer = _account(api, "farmer", "Amina Achieng", "Gulu")
    buyer = _account(api, "buyer", "Kampala Fresh Foods", "Kampala")
    booked = _book(api, transporter, farmer, buyer)
    assert handset(PHONE).dial("2", "1", "2").text.startswith("CON Decline this job?")
    assert handset(PHONE).dial("2", "1", "2", PIN).text.startswith("END Job declined.")
    assert _state(api, booked)[:2] == ("declined", "declined")
    assert handset(PHONE).dial("2").text.startswith("END You have no jobs now.")

    again = _book(api, transporter, farmer, buyer, plate="UBB 456D")
    handset(PHONE).dial("2", "1", "1", PIN)  # accepted
    assert (
        handset(PHONE).dial("2", "1", "2", PIN).text == "END Job cancelled. The buyer and farmer get an SMS."
    )
    assert _state(api, again)[:2] == ("cancelled", "cancelled")
    booking = api.get(f"/transport/bookings/{again.booking['id']}", user=buyer).expect(200).json
    assert booking["cancelled_by"] == transporter.id


def test_a_job_changed_meanwhile_says_so(handset: MakeHandset, users_table: Any, api: AppApi) -> None:
    register_transporter(handset)
    transporter = User(profile_of(users_table, PHONE)["id"], "transporter")
    booked = _book(
        api,
        transporter,
        _account(api, "farmer", "Amina Achieng", "Gulu"),
        _account(api, "buyer", "Kampala Fresh Foods", "Kampala"),
    )
    h = handset(PHONE)
    assert h.dial("2", "1", "1").text.startswith("CON Accept this job?")  # the job as it was listed
    api.post(f"/transport/bookings/{booked.booking['id']}/cancel", {}, user=booked.buyer).expect(200)

    assert h.send("2*1*1*" + PIN).text == "END This job changed meanwhile. Dial again to see it now."
    assert _state(api, booked)[:2] == ("cancelled", "cancelled")
    assert handset(PHONE).dial("2").text.startswith("END You have no jobs now.")


# ---------------------------------------------------------------------------- 3 Add vehicle
ADD_VEHICLE = ("3", "3", "uba 123c", "1500", "Kampala", "0", "1800", "30000")


def test_a_transporter_registered_by_ussd_adds_a_vehicle_by_ussd_and_gets_a_job_for_it(
    handset: MakeHandset, users_table: Any, api: AppApi
) -> None:
    register_transporter(handset)
    transporter = User(profile_of(users_table, PHONE)["id"], "transporter")
    h = handset(PHONE)
    assert h.dial(*ADD_VEHICLE[:3]).text == "CON How many kg it carries (e.g. 1500):"
    assert h.send("3*3*uba 123c*1500").text == "CON Districts: Gulu\nAdd another district or 0 when done:"
    assert h.send("3*3*uba 123c*1500*Atlantis").text.startswith("CON Unknown district. Districts: Gulu")
    confirm = h.send("*".join(ADD_VEHICLE))
    assert confirm.text == (
        "CON Add Pick-up UBA 123C, 1500kg, Gulu, Kampala, UGX 1,800/km, min UGX 30,000, every day?\n"
        "Enter your PIN to confirm or 0 to cancel:"
    )
    assert h.send("*".join((*ADD_VEHICLE, "1111"))).text.startswith("CON Wrong PIN, 2 left.")
    added = h.send("*".join((*ADD_VEHICLE, "1111", PIN)))
    assert added.text == (
        "END Vehicle UBA 123C added: buyers can book it now. Dial again and choose 2 for your jobs."
    )
    assert h.send("*".join((*ADD_VEHICLE, "1111", PIN))).text == added.text  # a retry: once

    # the vehicle as the app shows it (GET /transport/vehicles): one, every day of the week
    [vehicle] = api.get("/transport/vehicles", user=transporter).expect(200).json["items"]
    assert {k: vehicle[k] for k in ("type", "plate", "capacity_kg", "districts", "active")} == {
        "type": "pickup",
        "plate": "UBA 123C",
        "capacity_kg": 1500,
        "districts": ["Gulu", "Kampala"],
        "active": True,
    }
    assert (vehicle["price_per_km_ugx"], vehicle["minimum_fare_ugx"]) == (1800, 30000)
    assert vehicle["days"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    # a confirmed order in Gulu: POST /transport/quotes finds it, the buyer books it, the job is on USSD
    booked = _book(
        api,
        transporter,
        _account(api, "farmer", "Amina Achieng", "Gulu"),
        _account(api, "buyer", "Kampala Fresh Foods", "Kampala"),
        plate=None,
    )
    assert booked.booking["vehicle_id"] == vehicle["id"] and booked.booking["plate"] == "UBA 123C"
    fare = f"{booked.booking['fare_ugx']:,}"
    assert handset(PHONE).dial("2").text == f"CON Your jobs (UGX):\n1 Maize Gulu>Kampala {fare} new\n0 Back"
    assert handset(PHONE).dial("2", "1", "1", PIN).text.startswith("END Job accepted.")
    assert _state(api, booked)[:2] == ("accepted", "accepted")


def test_a_plate_already_on_soko_is_refused_in_both_languages(
    handset: MakeHandset, users_table: Any, api: AppApi
) -> None:
    register_transporter(handset)
    assert handset(PHONE).dial(*ADD_VEHICLE, PIN).text.startswith("END Vehicle UBA 123C added")
    other = "+256772000555"
    register_transporter(handset, other, "Mugisha Paul")
    assert (
        handset(other).dial(*ADD_VEHICLE, PIN).text == "END A vehicle with plate UBA 123C is already on Soko."
    )
    h = handset(other)
    assert h.dial("6", "2").text == "END Olulimi: Luganda."
    assert h.dial("3").text.startswith("CON Wandiisa ekidduka. Kika:\n1 Bodaboda")
    taken = handset(other).dial(*ADD_VEHICLE, PIN)
    assert taken.text == "END Ekidduka ekirina pulaati UBA 123C kiri dda ku Soko."
    added = handset(other).dial("3", "5", "UBB 456D", "8000", "0", "2500", "0", PIN)
    assert added.text.startswith("END Ekidduka UBB 456D kiwandiisiddwa")
    mugisha = User(profile_of(users_table, other)["id"], "transporter")
    [lorry] = api.get("/transport/vehicles", user=mugisha).expect(200).json["items"]
    assert (lorry["type"], lorry["districts"], lorry["minimum_fare_ugx"]) == ("lorry", ["Gulu"], 0)
