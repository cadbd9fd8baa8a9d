"""Quotes for a confirmed order: which vehicles can carry it on the day, and at what fare.

The pickup is the order's district (the listing's, which is the farmer's); the drop-off is the
point the request gives, else the order's ``delivery_district``, else the buyer's district. A
vehicle is a candidate when it serves the pickup district (the ``DISTRICT#`` query) and the
drop-off's, carries the weight, works on the pickup day's weekday, is active and its slot of the
day is free (a read to rank: the booking's transaction is the guard). Prices follow
:mod:`soko.logistics.pricing`; quotes come cheapest first, then nearest (the vehicle's base, its
first district, to the pickup), and are stored for :data:`QUOTE_MINUTES` so that a booking pays
exactly the quoted fare."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from soko.logistics import pricing
from soko.logistics.core_models import WEEK, Quote, QuoteAnswer, QuoteRequest
from soko.logistics.models import Place
from soko.shared import clock, ids, places
from soko.shared.errors import Conflict, NotFound, Unprocessable
from soko.shared.identity import Caller

if TYPE_CHECKING:
    from soko.identity.public import UserView
    from soko.market.public import TransportOrder

QUOTE_MINUTES = 30
MAX_QUOTES = 20
MAX_DAYS_AHEAD = 30


class Orders(Protocol):
    def transport_order(self, order_id: str) -> TransportOrder | None: ...


class People(Protocol):
    def get(self, user_id: str) -> UserView | None: ...


class Vehicles(Protocol):
    def in_district(self, district: str) -> list[dict[str, Any]]: ...
    def taken_slots(self, vehicle_ids: list[str], day: str) -> set[str]: ...


class QuoteStore(Protocol):
    def put_quotes(self, quotes: list[dict[str, Any]], expires_at: int) -> None: ...


@dataclass(frozen=True)
class QuoteDeps:
    orders: Orders
    people: People
    vehicles: Vehicles
    quotes: QuoteStore


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"


class OrderNotConfirmed(Conflict):
    code = "ORDER_NOT_CONFIRMED"


def party_order(caller: Caller, order_id: str, orders: Orders) -> TransportOrder:
    """The order, if the caller is its buyer or farmer (anyone else: 404, as if it did not exist)."""
    order = orders.transport_order(order_id)
    if order is None or caller.user_id not in (order.buyer_id, order.farmer_id):
        raise OrderNotFound("No order of yours has this id.")
    return order


def require_confirmed(order: TransportOrder) -> None:
    if order.status != "confirmed":
        raise OrderNotConfirmed(
            "Transport is booked for a confirmed order only.", details={"status": order.status}
        )


def _pickup_day(requested: date | None) -> date:
    today = clock.now().astimezone(clock.EAT).date()
    day = requested or today + timedelta(days=1)
    if not today <= day <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise Unprocessable(
            f"The pickup day is today or one of the next {MAX_DAYS_AHEAD} days (East Africa Time).",
            code="INVALID_PICKUP_DAY",
            details={"field": "pickup_day"},
        )
    return day


def _place(district: str, address: str | None = None) -> Place:
    lat, lon = places.coordinates(district)
    return Place(district=district, lat=lat, lon=lon, address=address)


def _dropoff(request: QuoteRequest, order: TransportOrder, people: People) -> Place:
    if request.dropoff is not None:
        point = (request.dropoff.lat, request.dropoff.lon)
        return Place(
            district=pricing.nearest_district(point),
            lat=request.dropoff.lat,
            lon=request.dropoff.lon,
            address=request.dropoff.address,
        )
    district = order.delivery_district
    if not district:
        buyer = people.get(order.buyer_id)
        district = buyer.district if buyer else None
    if not district:
        raise Unprocessable(
            "Say where to deliver: this order has no delivery district and the buyer's profile no district.",
            code="DROPOFF_REQUIRED",
            details={"field": "dropoff"},
        )
    return _place(places.district(district))


def weight_kg(order: TransportOrder) -> float:
    return order.quantity_g / 1000


def quote(caller: Caller, request: QuoteRequest, deps: QuoteDeps) -> QuoteAnswer:
    order = party_order(caller, request.order_id, deps.orders)
    require_confirmed(order)
    day = _pickup_day(request.pickup_day)
    pickup = _place(places.district(order.district))
    dropoff = _dropoff(request, order, deps.people)
    weight = weight_kg(order)
    distance = pricing.road_km((pickup.lat, pickup.lon), (dropoff.lat, dropoff.lon))
    weekday = WEEK[day.weekday()]
    fits = [
        v
        for v in deps.vehicles.in_district(pickup.district)
        if v.get("active")
        and dropoff.district in v["districts"]
        and int(v["capacity_kg"]) >= weight
        and weekday in v["days"]
    ]
    taken = deps.vehicles.taken_slots([v["id"] for v in fits], day.isoformat()) if fits else set()

    def rank(vehicle: dict[str, Any]) -> tuple[int, float, str]:
        base = places.DISTRICTS[vehicle["districts"][0]]
        return (vehicle["fare"], places.haversine_km(base, (pickup.lat, pickup.lon)), vehicle["id"])

    priced = [
        {
            **v,
            "fare": pricing.fare_ugx(
                price_per_km_ugx=int(v["price_per_km_ugx"]),
                minimum_fare_ugx=int(v["minimum_fare_ugx"]),
                distance_km=distance,
                weight_kg=weight,
            ),
        }
        for v in fits
        if v["id"] not in taken
    ]
    expires = clock.now() + timedelta(minutes=QUOTE_MINUTES)
    names: dict[str, str | None] = {}
    quotes: list[Quote] = []
    stored: list[dict[str, Any]] = []
    for vehicle in sorted(priced, key=rank):
        owner = vehicle["transporter_id"]
        if owner not in names:
            person = deps.people.get(owner)
            names[owner] = None if person is None or person.suspended else (person.full_name or "Transporter")
        name = names[owner]
        if name is None:  # a suspended or deleted account is offered to nobody
            continue
        item = Quote(
            id=ids.ulid(),
            vehicle_id=vehicle["id"],
            vehicle_type=vehicle["type"],
            transporter_id=owner,
            transporter_name=name,
            pickup_day=day,
            pickup=pickup,
            dropoff=dropoff,
            distance_km=distance,
            weight_kg=weight,
            fare_ugx=vehicle["fare"],
            expires_at=clock.iso(expires),
        )
        quotes.append(item)
        stored.append(
            {
                **item.model_dump(mode="json", exclude={"expires_at"}),
                "order_id": order.id,
                "plate": vehicle["plate"],
                "requested_by": caller.user_id,
                "expires_iso": item.expires_at,
            }
        )
        if len(quotes) == MAX_QUOTES:
            break
    if stored:
        deps.quotes.put_quotes(stored, int(expires.timestamp()))
    return QuoteAnswer(order_id=order.id, items=quotes)
