"""``make bench`` section 12: booking transport through the gateway (``POST /transport/quotes`` and
``POST /transport/bookings``), and a booking race.

One transporter's pick-up serves Gulu and Kampala; ORDERS confirmed Gulu -> Kampala orders each ask
for quotes and book the vehicle, each on its own day (the vehicle's slot is a day), so every booking
is a real success: the latency is the handler's whole transaction (the booking, the day's slot, the
two parties' items, the order's transport and two outbox records in one TransactWriteItems) plus
the gateway and the authorizer. Then RACERS threads book the same vehicle's same day at once: one
must win and the others get 409 ``SLOT_TAKEN``; the figure is the slowest answer of the race.
"""

from __future__ import annotations

import statistics
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from soko_local.bench.core import Bench, BenchError, Figure, Section, p95, progress, timed_request

ORDERS = 20  # one per day: quotes may be asked up to 30 days ahead
RACERS = 8
ORDERS_PER_BUYER = 10  # below the market's 20 orders per buyer per hour
PASSWORD = "Bench-Transport-2026!"  # noqa: S105  (the bench's throwaway accounts)


def _user(base: str, session: requests.Session, role: str) -> dict[str, str]:
    email = f"bench-{role}-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": PASSWORD, "role": role, "full_name": f"Bench {role}"}
    created = session.post(f"{base}/auth/register", json=body, timeout=60)
    if created.status_code != 201:
        raise BenchError(f"register {role}: {created.status_code} {created.text[:200]}")
    signed = session.post(f"{base}/auth/login", json={"email": email, "password": PASSWORD}, timeout=60)
    if signed.status_code != 200:
        raise BenchError(f"login {role}: {signed.status_code}")
    return {"Authorization": f"Bearer {signed.json()['access_token']}"}


def _ok(response: requests.Response, expected: int, what: str) -> dict[str, Any]:
    if response.status_code != expected:
        raise BenchError(f"{what}: {response.status_code} {response.text[:300]}")
    return dict(response.json())


def _confirmed_orders(base: str, session: requests.Session, count: int) -> list[tuple[dict[str, str], str]]:
    """``count`` confirmed Gulu -> Kampala orders, each with its buyer's headers (a new buyer every
    ORDERS_PER_BUYER orders: the market limits a buyer's orders per hour)."""
    farmer = _user(base, session, "farmer")
    listing = _ok(
        session.post(
            f"{base}/listings/",
            json={
                "title": "Bench maize for transport",
                "crop": "maize",
                "price_per_kg": 1_000,
                "quantity_kg": "100000",
                "district": "Gulu",
            },
            headers=farmer,
            timeout=60,
        ),
        201,
        "listing",
    )
    orders: list[tuple[dict[str, str], str]] = []
    buyer: dict[str, str] = {}
    for n in range(count):
        if n % ORDERS_PER_BUYER == 0:
            buyer = _user(base, session, "buyer")
        order = _ok(
            session.post(
                f"{base}/orders/",
                json={"listing_id": listing["id"], "quantity_kg": "100", "delivery_district": "Kampala"},
                headers=buyer,
                timeout=60,
            ),
            201,
            "order",
        )
        _ok(
            session.patch(
                f"{base}/orders/{order['id']}/status",
                json={"new_status": "confirmed"},
                headers=farmer,
                timeout=60,
            ),
            200,
            "confirm",
        )
        orders.append((buyer, order["id"]))
    return orders


def measure(bench: Bench) -> Section:
    base = bench.runtime.base_url
    section = Section(
        f"12. Transport: quotes and bookings through the gateway ({ORDERS} bookings, a race of {RACERS})"
    )
    progress(f"transport: {ORDERS} orders quoted and booked, then {RACERS} bookings racing for one slot")
    with requests.Session() as session:
        transporter = _user(base, session, "transporter")
        plate = f"UB{chr(65 + uuid.uuid4().int % 26)} {uuid.uuid4().int % 900 + 100}B"
        vehicle = _ok(
            session.post(
                f"{base}/transport/vehicles",
                json={
                    "type": "pickup",
                    "plate": plate,
                    "capacity_kg": 2_000,
                    "districts": ["Gulu", "Kampala"],
                    "price_per_km_ugx": 1_200,
                    "minimum_fare_ugx": 40_000,
                    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                },
                headers=transporter,
                timeout=60,
            ),
            201,
            "vehicle",
        )
        orders = _confirmed_orders(base, session, ORDERS + RACERS)
        today = datetime.now(UTC).date()
        quote_ms: list[float] = []
        book_ms: list[float] = []
        for n, (buyer, order_id) in enumerate(orders[:ORDERS]):
            day = (today + timedelta(days=n + 1)).isoformat()
            ms, reply = timed_request(
                session,
                "POST",
                f"{base}/transport/quotes",
                json={"order_id": order_id, "pickup_day": day},
                headers=buyer,
            )
            quote_ms.append(ms)
            quotes = [q for q in _ok(reply, 200, "quotes")["items"] if q["vehicle_id"] == vehicle["id"]]
            if not quotes:
                raise BenchError("the bench's vehicle was not quoted")
            ms, reply = timed_request(
                session,
                "POST",
                f"{base}/transport/bookings",
                json={"quote_id": quotes[0]["id"]},
                headers={**buyer, "Idempotency-Key": uuid.uuid4().hex},
            )
            _ok(reply, 201, "booking")
            book_ms.append(ms)

        race_day = (today + timedelta(days=ORDERS + 1)).isoformat()
        race_quotes: list[tuple[dict[str, str], dict[str, Any]]] = []
        for buyer, order_id in orders[ORDERS:]:
            reply = session.post(
                f"{base}/transport/quotes",
                json={"order_id": order_id, "pickup_day": race_day},
                headers=buyer,
                timeout=60,
            )
            quote = next(q for q in _ok(reply, 200, "quotes")["items"] if q["vehicle_id"] == vehicle["id"])
            race_quotes.append((buyer, quote))
    gate = threading.Barrier(RACERS)
    answers: list[tuple[float, int, str]] = []

    def racer(buyer: dict[str, str], quote: dict[str, Any]) -> None:
        with requests.Session() as own:
            gate.wait()
            ms, reply = timed_request(
                own,
                "POST",
                f"{base}/transport/bookings",
                json={"quote_id": quote["id"]},
                headers={**buyer, "Idempotency-Key": uuid.uuid4().hex},
            )
            code = reply.json().get("error", {}).get("code", "") if reply.status_code != 201 else ""
            answers.append((ms, reply.status_code, code))

    threads = [threading.Thread(target=racer, args=pair) for pair in race_quotes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = sum(1 for _, status, _ in answers if status == 201)
    taken = sum(1 for _, status, code in answers if status == 409 and code == "SLOT_TAKEN")
    section.figures += [
        Figure("quotes for an order, median", statistics.median(quote_ms), "ms"),
        Figure("quotes for an order, p95", p95(quote_ms), "ms"),
        Figure("a booking, median", statistics.median(book_ms), "ms"),
        Figure("a booking, p95", p95(book_ms), "ms"),
        Figure(f"the slowest answer of {RACERS} racing bookings", max(ms for ms, _, _ in answers), "ms"),
    ]
    section.notes += [
        f"the race for one vehicle's day: {won} booked, {taken} refused SLOT_TAKEN, "
        f"{RACERS - won - taken} other answers (one must win, none may double-book)",
        "through the local gateway and authorizer against moto: on AWS a booking's transaction is a few "
        "DynamoDB milliseconds, and the gateway's overhead is section 2's",
    ]
    return section
