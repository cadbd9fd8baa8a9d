"""The pricing and distance rules of logistics (soko.logistics.pricing), the quote's choice and order
of vehicles with in-memory ports, and the transporter's new-job notice fitting one SMS."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from soko.identity.public import UserView
from soko.logistics import bookings, pricing, quotes
from soko.logistics.core_models import QuoteRequest, normalise_plate
from soko.logistics.models import Booking, Place
from soko.market.public import TransportOrder
from soko.shared import clock, places
from soko.shared.errors import Unprocessable
from soko.shared.identity import Caller

# ---------------------------------------------------------------------------- distance and fare


def test_road_km_is_the_straight_line_times_the_road_factor() -> None:
    gulu, kampala = places.DISTRICTS["Gulu"], places.DISTRICTS["Kampala"]
    straight = places.haversine_km(gulu, kampala)
    assert str(pricing.ROAD_FACTOR) == "1.3"
    assert pricing.road_km(gulu, kampala) == round(straight * 1.3, 1)
    assert 330 < pricing.road_km(gulu, kampala) < 380  # the real road is about 333 km
    assert pricing.road_km(gulu, gulu) == 0.0


def test_the_fare_is_price_per_km_up_to_a_tonne() -> None:
    fare = pricing.fare_ugx(price_per_km_ugx=1800, minimum_fare_ugx=30000, distance_km=356.2, weight_kg=1000)
    assert fare == 641160  # 1800 x 356.2


def test_each_tonne_above_the_first_adds_its_tonne_km() -> None:
    base = pricing.fare_ugx(price_per_km_ugx=3000, minimum_fare_ugx=0, distance_km=100, weight_kg=1000)
    heavy = pricing.fare_ugx(price_per_km_ugx=3000, minimum_fare_ugx=0, distance_km=100, weight_kg=10000)
    assert heavy - base == 9 * 100 * pricing.TONNE_KM_SURCHARGE_UGX
    part = pricing.fare_ugx(price_per_km_ugx=3000, minimum_fare_ugx=0, distance_km=100, weight_kg=1500)
    assert part - base == 50 * pricing.TONNE_KM_SURCHARGE_UGX  # half a tonne, pro rata


def test_the_fare_is_at_least_the_minimum_and_whole_shillings() -> None:
    assert (
        pricing.fare_ugx(price_per_km_ugx=500, minimum_fare_ugx=5000, distance_km=2.5, weight_kg=50) == 5000
    )
    fare = pricing.fare_ugx(price_per_km_ugx=333, minimum_fare_ugx=0, distance_km=10.5, weight_kg=50)
    assert fare == 3497 and isinstance(fare, int)  # 3496.5 rounds half up


def test_a_point_lies_in_the_district_of_the_nearest_town() -> None:
    assert pricing.nearest_district((0.3136, 32.5811)) == "Kampala"
    assert pricing.nearest_district((2.78, 32.30)) == "Gulu"


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("uab 123c", "UAB 123C"),
        ("UAB123C", "UAB 123C"),
        (" ueb  045k ", "UEB 045K"),
        ("ug 1234a", "UG 1234A"),
    ],
)
def test_plates_are_normalised(text: str, plate: str) -> None:
    assert normalise_plate(text) == plate


@pytest.mark.parametrize("text", ["KCA 123A", "UAB 12C", "UAB 1234", "U 123", "UGX 100"])
def test_other_plates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="Ugandan number plate"):
        normalise_plate(text)


# ---------------------------------------------------------------------------- quotes with fakes
BUYER, FARMER = "B1", "F1"


@dataclass
class Fakes:
    order: TransportOrder
    vehicles: list[dict[str, Any]]
    people: dict[str, UserView]
    taken: set[str] = field(default_factory=set)
    stored: list[dict[str, Any]] = field(default_factory=list)

    def transport_order(self, order_id: str) -> TransportOrder | None:
        return self.order if order_id == self.order.id else None

    def get(self, user_id: str) -> UserView | None:
        return self.people.get(user_id)

    def in_district(self, district: str) -> list[dict[str, Any]]:
        return [v for v in self.vehicles if district in v["districts"]]

    def taken_slots(self, vehicle_ids: list[str], day: str) -> set[str]:
        return self.taken & set(vehicle_ids)

    def put_quotes(self, items: list[dict[str, Any]], expires_at: int) -> None:
        self.stored += items

    def deps(self) -> quotes.QuoteDeps:
        return quotes.QuoteDeps(orders=self, people=self, vehicles=self, quotes=self)


def _vehicle(vid: str, owner: str, districts: list[str], price: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": vid,
        "transporter_id": owner,
        "type": "pickup",
        "plate": "UAB 123C",
        "capacity_kg": 2000,
        "districts": districts,
        "price_per_km_ugx": price,
        "minimum_fare_ugx": 0,
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "active": True,
        **extra,
    }


def _fakes(**order: Any) -> Fakes:
    fields = {
        "id": "O1",
        "buyer_id": BUYER,
        "farmer_id": FARMER,
        "status": "confirmed",
        "crop": "maize_grain",
        "title": "Maize",
        "district": "Gulu",
        "quantity_g": 500_000,
        **order,
    }
    people = {
        BUYER: UserView(id=BUYER, role="buyer", district="Kampala"),
        "T1": UserView(id="T1", role="transporter", full_name="Okot"),
        "T2": UserView(id="T2", role="transporter", full_name="Acan"),
        "T3": UserView(id="T3", role="transporter", full_name="Gone", suspended=True),
    }
    return Fakes(order=TransportOrder(**fields), vehicles=[], people=people)


def test_quotes_come_cheapest_then_nearest_and_skip_suspended_transporters() -> None:
    fakes = _fakes()
    fakes.vehicles = [
        _vehicle("V1", "T1", ["Kampala", "Gulu"], 1500),  # base Kampala: far from the pickup
        _vehicle("V2", "T2", ["Gulu", "Kampala"], 1500),  # same fare, based at the pickup
        _vehicle("V3", "T2", ["Gulu", "Kampala"], 1200),  # cheapest
        _vehicle("V4", "T3", ["Gulu", "Kampala"], 100),  # suspended
        _vehicle("V5", "T1", ["Gulu", "Kampala"], 100, active=False),
        _vehicle("V6", "T1", ["Gulu", "Kampala"], 100, capacity_kg=499),
        _vehicle("V7", "T1", ["Gulu", "Kampala"], 100),
    ]
    fakes.taken = {"V7"}
    answer = quotes.quote(
        Caller(user_id=BUYER, role="buyer", email=""), QuoteRequest(order_id="O1"), fakes.deps()
    )
    assert [q.vehicle_id for q in answer.items] == ["V3", "V2", "V1"]
    assert [s["vehicle_id"] for s in fakes.stored] == ["V3", "V2", "V1"]
    assert {s["order_id"] for s in fakes.stored} == {"O1"} and answer.items[0].transporter_name == "Acan"


def test_without_any_drop_off_the_request_must_give_one() -> None:
    fakes = _fakes()
    fakes.people[BUYER] = UserView(id=BUYER, role="buyer")  # no district
    with pytest.raises(Unprocessable) as raised:
        quotes.quote(
            Caller(user_id=FARMER, role="farmer", email=""), QuoteRequest(order_id="O1"), fakes.deps()
        )
    assert raised.value.code == "DROPOFF_REQUIRED" and raised.value.details == {"field": "dropoff"}


# ---------------------------------------------------------------------------- the new-job notice
def test_the_new_job_sms_fits_one_message_in_both_languages_at_the_worst() -> None:
    now = clock.now()
    booking = Booking(
        id="01JD0000000000000000000073",
        order_id="O1",
        quote_id="Q1",
        vehicle_id="V1",
        vehicle_type="lorry",
        plate="UAB 123C",
        transporter_id="T1",
        transporter_name="Okot",
        buyer_id=BUYER,
        farmer_id=FARMER,
        booked_by=BUYER,
        status="requested",
        fare_ugx=9_999_999,
        distance_km=999.9,
        weight_kg=39999.999,
        pickup_day=date(2026, 9, 30),
        pickup=Place(district=max(places.DISTRICTS, key=len), lat=1, lon=32),
        dropoff=Place(district=max(places.DISTRICTS, key=len), lat=1, lon=32),
        answer_by=clock.iso(now + timedelta(minutes=30)),
        created_at=clock.iso(now),
        updated_at=clock.iso(now),
        version=1,
    )
    notice = bookings._notice(booking)
    assert len(notice.sms.en) <= 160 and len(notice.sms.lg) <= 160, (notice.sms.en, notice.sms.lg)
    assert "9,999,999" in notice.sms.en and "39999.999kg" in notice.sms.lg
