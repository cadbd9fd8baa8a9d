"""A transporter on a basic phone (issue 17), through UssdFunction in-process against moto from the
template: registering as a transporter (or a buyer) by USSD, "2 My jobs" read from the logistics
table, and a booked job accepted, picked up and delivered with the buyer's delivery code, the booking
and the order changing as the app's routes would change them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import boto3
import pytest
from conftest import REGION, Handset

from soko_local.provision import Deployment

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
        f"END Welcome to Soko, {name}! Add your vehicle in the Soko app or with a Soko agent. Dial again "
        "and choose 2 for your jobs."
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
    assert main.text.startswith("CON Soko\n1 Check prices\n2 My jobs\n3 Sell produce")
    assert handset(PHONE).dial("2").text == (
        "END You have no jobs now. Buyers book the vehicles you add in the Soko app."
    )
    assert handset(PHONE).dial("3").text == "END Only farmers can sell on Soko."
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

    # newest first, ended ones left out, at most 4; the orders are unknown to the market: no crop
    assert listing.text == (
        "CON Your jobs (UGX):\n"
        "1 500kg Gulu>Kampala 100,007 new\n"
        "2 500kg Gulu>Kampala 100,005 on way\n"
        "3 500kg Gulu>Kampala 100,003 accepted\n"
        "4 500kg Gulu>Kampala 100,001 new\n"
        "0 Back"
    )
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
