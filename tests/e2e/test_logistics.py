"""Issue 17's promise, black-box over HTTP and WebSocket against the real application under the
local runtime: a buyer gets quotes for a confirmed order and books one; a second booking of the
same vehicle's day, made at the same moment, fails cleanly; the transporter accepts, picks up and
posts GPS fixes; the ETA falls; arriving within 400 m of the drop-off publishes ``TransportArrived``,
which the buyer sees live over the WebSocket; the buyer's delivery PIN hands the produce over; the
ledger pays the fare and every account of the order balances to zero. (Accepting by USSD:
tests/e2e/test_ussd_transport.py.)"""

from __future__ import annotations

import re
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from .test_market import PASSWORD, TIMEOUT, User, create_listing, set_status
from .test_messaging import Client, ws_url
from .test_payments import eventually
from .test_trust import COMMISSION_PERCENT, admin_headers, balance, get, post

RATE_SECONDS = 10  # one batch of fixes per booking per 10 s (soko.logistics.tracking)
SPEED_MPS = 20.0  # the simulated pick-up drives at 72 km/h


def register(soko: Any, http: requests.Session, role: str, *, phone: str | None = None) -> User:
    email = f"transport-{role}-{uuid.uuid4().hex[:12]}@example.com"
    body: dict[str, Any] = {"email": email, "password": PASSWORD, "role": role, "full_name": f"E2E {role}"}
    if phone:
        body["phone"] = phone
    created = http.post(f"{soko.url}/auth/register", json=body, timeout=TIMEOUT)
    assert created.status_code == 201, created.text
    signed_in = http.post(
        f"{soko.url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=TIMEOUT
    )
    assert signed_in.status_code == 200, signed_in.text
    if phone:  # the phone counts (the delivery PIN is texted to it) once its SMS code confirms it
        code = eventually(
            lambda: sms_code(soko, http, phone, r"confirm this phone is (\d{6})"), "the phone's code"
        )
        verified = http.post(
            f"{soko.url}/users/me/phone/verify",
            json={"code": code},
            headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"},
            timeout=TIMEOUT,
        )
        assert verified.status_code == 200 and verified.json()["phone_verified"] is True, verified.text
    return User(id=created.json()["id"], email=email, role=role, token=signed_in.json()["access_token"])


def unique_phone() -> str:
    return f"+25677{uuid.uuid4().int % 10_000_000:07d}"


def plate() -> str:
    n = uuid.uuid4().int
    return f"UB{chr(65 + n % 26)} {n % 900 + 100}{chr(65 + (n // 26) % 26)}"


def confirmed_order(soko: Any, http: requests.Session, farmer: User, buyer: User, kg: str) -> dict[str, Any]:
    listing = create_listing(soko, http, farmer, price_per_kg=1_000, quantity_kg="2000", district="Gulu")
    placed = post(
        soko,
        http,
        "/orders/",
        buyer.headers,
        {"listing_id": listing["id"], "quantity_kg": kg, "delivery_district": "Kampala"},
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert set_status(soko, http, farmer, order["id"], "confirmed").status_code == 200
    return order


def quote_for(
    soko: Any, http: requests.Session, who: User, order_id: str, vehicle_id: str, day: str
) -> dict[str, Any]:
    reply = post(soko, http, "/transport/quotes", who.headers, {"order_id": order_id, "pickup_day": day})
    assert reply.status_code == 200, reply.text
    items = reply.json()["items"]
    assert items == sorted(items, key=lambda q: q["fare_ugx"]), "quotes are cheapest first"
    mine = [q for q in items if q["vehicle_id"] == vehicle_id]
    assert mine, f"no quote from the test's vehicle among {len(items)}"
    return dict(mine[0])


def book(soko: Any, http: requests.Session, who: User, quote_id: str) -> requests.Response:
    headers = {**who.headers, "Idempotency-Key": uuid.uuid4().hex}
    return http.post(
        f"{soko.url}/transport/bookings", json={"quote_id": quote_id}, headers=headers, timeout=TIMEOUT
    )


def point_at(origin: dict[str, Any], metres: float) -> tuple[float, float]:
    """A point ``metres`` due north of ``origin`` (a Place)."""
    return origin["lat"] + metres / 111_195.0, origin["lon"]


def fixes_until(
    dropoff: dict[str, Any], start: datetime, start_m: float, now: datetime
) -> list[dict[str, Any]]:
    """The fixes a phone driving straight at the drop-off took in the last 8 s (one every 4 s)."""
    out = []
    for back in (8, 4, 0):
        at = now - timedelta(seconds=back)
        if at < start:
            continue
        lat, lon = point_at(dropoff, max(start_m - SPEED_MPS * (at - start).total_seconds(), 0.0))
        out.append({"lat": lat, "lon": lon, "at": at.isoformat(), "accuracy_m": 8})
    return out


def test_quote_book_race_accept_track_arrive_and_hand_over_with_the_pin(
    soko: Any, http: requests.Session
) -> None:
    admin = admin_headers(soko, http)
    farmer = register(soko, http, "farmer")
    buyer_phone = unique_phone()
    buyer = register(soko, http, "buyer", phone=buyer_phone)
    rival = register(soko, http, "buyer")
    transporter = register(soko, http, "transporter", phone=unique_phone())

    vehicle = post(
        soko,
        http,
        "/transport/vehicles",
        transporter.headers,
        {
            "type": "pickup",
            "plate": plate(),
            "capacity_kg": 1_500,
            "districts": ["Gulu", "Kampala"],
            "price_per_km_ugx": 1_500,
            "minimum_fare_ugx": 50_000,
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        },
    )
    assert vehicle.status_code == 201, vehicle.text
    vehicle_id = vehicle.json()["id"]

    # Two confirmed orders from Gulu to Kampala want the same vehicle on the same day.
    order = confirmed_order(soko, http, farmer, buyer, "300")
    other = confirmed_order(soko, http, farmer, rival, "200")
    day = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    quote = quote_for(soko, http, buyer, order["id"], vehicle_id, day)
    rival_quote = quote_for(soko, http, rival, other["id"], vehicle_id, day)
    assert quote["pickup"]["district"] == "Gulu" and quote["dropoff"]["district"] == "Kampala"
    assert quote["distance_km"] > 300 and quote["fare_ugx"] >= 1_500 * 300

    answers: dict[str, requests.Response] = {}
    gate = threading.Barrier(2)

    def race(name: str, who: User, quote_id: str) -> None:
        with requests.Session() as own:
            gate.wait()
            answers[name] = book(soko, own, who, quote_id)

    threads = [
        threading.Thread(target=race, args=("buyer", buyer, quote["id"])),
        threading.Thread(target=race, args=("rival", rival, rival_quote["id"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers.values())
    assert statuses == [201, 409], {k: (v.status_code, v.text) for k, v in answers.items()}
    loser = next(a for a in answers.values() if a.status_code == 409)
    assert loser.json()["error"]["code"] == "SLOT_TAKEN"
    if answers["buyer"].status_code != 201:  # the rival won the day: the buyer books the next one
        day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
        quote = quote_for(soko, http, buyer, order["id"], vehicle_id, day)
        retried = book(soko, http, buyer, quote["id"])
        assert retried.status_code == 201, retried.text
        booking = retried.json()
    else:
        booking = answers["buyer"].json()
    assert booking["status"] == "requested" and booking["fare_ugx"] == quote["fare_ugx"]
    fare, total = booking["fare_ugx"], order["total_ugx"]

    # The buyer pays the produce and the transport together (the sandbox completes it).
    started = post(
        soko, http, "/payments/initiate", buyer.headers, {"order_id": order["id"], "phone": "0772123456"}
    )
    assert started.status_code == 201, started.text
    payment = started.json()
    assert (payment["amount_ugx"], payment["fare_ugx"]) == (total + fare, fare)
    done = http.post(f"{soko.url}/_sandbox/pesapal/{payment['order_tracking_id']}/complete", timeout=TIMEOUT)
    assert done.status_code == 200, done.text
    eventually(
        lambda: get(soko, http, f"/orders/{order['id']}", buyer.headers)["payment_status"] == "paid (escrow)",
        "the order to show paid (escrow)",
    )
    pin = eventually(
        lambda: sms_code(soko, http, buyer_phone, r"delivery PIN .* is (\d{6})"),
        "the buyer's delivery PIN by SMS",
    )

    path = f"/transport/bookings/{booking['id']}"
    assert post(soko, http, f"{path}/accept", buyer.headers).status_code == 403  # only the transporter
    accepted = post(soko, http, f"{path}/accept", transporter.headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    picked = post(soko, http, f"{path}/pickup", transporter.headers)
    assert picked.status_code == 200, picked.text

    live = Client(ws_url(soko), buyer.token)
    try:
        assert live.status == 101
        dropoff = booking["dropoff"]
        start, start_m = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=10), 900.0
        etas = []
        for batch in range(4):
            if batch:
                time.sleep(RATE_SECONDS + 0.5)
            now = datetime.now(UTC).replace(microsecond=0)
            posted = post(
                soko,
                http,
                f"{path}/positions",
                transporter.headers,
                {"fixes": fixes_until(dropoff, start, start_m, now)},
            )
            assert posted.status_code == 200, posted.text
            etas.append(posted.json()["eta_minutes"])
            if posted.json()["arrived"]:
                break
        assert posted.json()["arrived"], f"never inside the geofence: {posted.json()}"
        assert etas[0] is not None and etas[-1] < etas[0], f"the ETA did not fall: {etas}"
        arrived = live.wait_for("transport", timeout=30)
        while arrived["event"] != "TransportArrived":
            arrived = live.wait_for("transport", timeout=30)
        assert arrived["booking_id"] == booking["id"]
    finally:
        live.close()
    shown = get(soko, http, path, buyer.headers)
    assert shown["arrived_at"] and len(shown["track"]) >= 3
    outsider = http.get(f"{soko.url}{path}", headers=rival.headers, timeout=TIMEOUT)
    assert outsider.status_code == 404, outsider.text  # the booking and its track are the parties' only

    # The handover: a wrong PIN is refused with tries left, the buyer's PIN delivers.
    wrong = "000000" if pin != "000000" else "111111"
    refused = post(soko, http, f"{path}/deliver", transporter.headers, {"pin": wrong})
    assert refused.status_code == 403, refused.text
    delivered = post(soko, http, f"{path}/deliver", transporter.headers, {"pin": pin})
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["status"] == "delivered"
    assert get(soko, http, f"/orders/{order['id']}", buyer.headers)["status"] == "completed"

    # The ledger pays the fare out of escrow; the order's accounts balance to zero.
    escrow = f"escrow:{order['id']}"
    eventually(lambda: balance(soko, http, admin, escrow) == 0, "the order's escrow to empty")
    fee = (total * COMMISSION_PERCENT + 50) // 100
    accounts = eventually(
        lambda: settled(soko, http, admin, buyer, farmer, transporter, escrow, fare),
        "the fare to reach the transporter's account",
    )
    assert accounts["transporter"] == fare
    assert accounts["farmer"] == total - fee
    assert accounts["buyer"] == -(total + fare)
    assert sum(accounts.values()) + fee == 0


def settled(
    soko: Any,
    http: requests.Session,
    admin: dict[str, str],
    buyer: User,
    farmer: User,
    transporter: User,
    escrow: str,
    fare: int,
) -> dict[str, int] | None:
    seen = {
        "buyer": balance(soko, http, admin, f"buyer:{buyer.id}"),
        "escrow": balance(soko, http, admin, escrow),
        "farmer": balance(soko, http, admin, f"farmer:{farmer.id}"),
        "transporter": balance(soko, http, admin, f"transporter:{transporter.id}"),
    }
    return seen if seen["transporter"] == fare and seen["escrow"] == 0 else None


def sms_code(soko: Any, http: requests.Session, phone: str, pattern: str) -> str | None:
    """The last code matching ``pattern`` texted to ``phone`` (the sandbox's outbox)."""
    texts = http.get(f"{soko.url}/_sandbox/sms/outbox", params={"to": phone}, timeout=TIMEOUT).json()[
        "messages"
    ]
    found = [m for m in (re.search(pattern, t["message"]) for t in texts) if m]
    return found[-1][1] if found else None
