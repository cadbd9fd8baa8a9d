"""Test fixtures for logistics' functional tests: a real order made through the market's handlers,
and a booking of it SEEDED straight into the logistics table.

``seed_booking`` is a TEST FIXTURE, not a way the product makes bookings: it writes exactly the items
``POST /transport/bookings`` writes (the layout of ``soko.logistics.dal`` and the ``Booking`` model):
the booking (``BOOKING#<id>`` / ``BOOKING`` with its gsi1 and gsi2 keys), the vehicle's claimed day
(``VEHICLE#<id>`` / ``SLOT#<day>``), the buyer's and the farmer's party items (``PARTY#<user>`` /
``BOOKING#<created>#<id>``) and the order's transport (``ORDER#<order>`` / ``TRANSPORT``), so the
booking steps can be tested before, and independently of, the booking endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3

from soko.logistics.models import Booking
from soko.shared import clock, ids
from soko_local.provision import Deployment
from support.events import eventbridge_event, from_outbox, sqs_event
from support.gateway import Api
from support.lambda_env import ACCOUNT_ID, REGION, Invoke
from support.tables import Table, dynamodb
from support.users import User, new_user

PICKUP = {"district": "Masaka", "lat": -0.3333, "lon": 31.7333, "address": None}
DROPOFF = {"district": "Kampala", "lat": 0.3476, "lon": 32.5825, "address": "Nakasero market, stall 12"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_booking(
    table_name: str,
    order: dict[str, Any],
    transporter: User,
    *,
    status: str = "requested",
    vehicle_id: str | None = None,
    pickup_day: date | None = None,
    fare_ugx: int = 45_000,
    answer_minutes: int = 30,
    booked_by: str | None = None,
    transporter_name: str = "Okello Transport",
) -> dict[str, Any]:
    """A booking of ``order`` (a real one, from the market's API) by its buyer, with its slot, party
    items and the order's transport item, written as the booking endpoint writes them (TEST FIXTURE)."""
    now = clock.now()
    created = _iso(now)
    booking_id = ids.ulid()
    vehicle = vehicle_id or ids.ulid()
    day = pickup_day or (now + timedelta(days=1)).date()
    booking = Booking(
        id=booking_id,
        order_id=order["id"],
        quote_id=ids.ulid(),
        vehicle_id=vehicle,
        vehicle_type="pickup",
        plate="UBA 123X",
        transporter_id=transporter.id,
        transporter_name=transporter_name,
        buyer_id=order["buyer_id"],
        farmer_id=order["farmer_id"],
        booked_by=booked_by or order["buyer_id"],
        status=status,
        fare_ugx=fare_ugx,
        distance_km=131.5,
        weight_kg=float(order["quantity_kg"]),
        pickup_day=day,
        pickup=PICKUP,
        dropoff=DROPOFF,
        answer_by=_iso(now + timedelta(minutes=answer_minutes)),
        created_at=created,
        updated_at=created,
        version=1,
        audit=[{"at": created, "by": booked_by or order["buyer_id"], "status": "requested"}],
    )
    item = {
        **booking.model_dump(mode="json", exclude_none=True, exclude={"track"}),
        "pk": f"BOOKING#{booking_id}",
        "sk": "BOOKING",
        "gsi1pk": f"TRANSPORTER#{transporter.id}",
        "gsi1sk": f"{created}#{booking_id}",
        "gsi2pk": f"ORDER#{order['id']}",
        "gsi2sk": f"{created}#{booking_id}",
    }
    table = dynamodb().Table(table_name)
    with table.batch_writer() as batch:
        batch.put_item(Item=_storable(item))
        batch.put_item(
            Item={
                "pk": f"VEHICLE#{vehicle}",
                "sk": f"SLOT#{day.isoformat()}",
                "booking_id": booking_id,
                "order_id": order["id"],
                "expires_at": int(datetime.combine(day, datetime.min.time(), UTC).timestamp()) + 8 * 86400,
            }
        )
        for party in (order["buyer_id"], order["farmer_id"]):
            batch.put_item(
                Item={
                    "pk": f"PARTY#{party}",
                    "sk": f"BOOKING#{created}#{booking_id}",
                    "booking_id": booking_id,
                    "order_id": order["id"],
                    "created_at": created,
                }
            )
        batch.put_item(
            Item={
                "pk": f"ORDER#{order['id']}",
                "sk": "TRANSPORT",
                "order_id": order["id"],
                "booking_id": booking_id,
                "transporter_id": transporter.id,
                "vehicle_id": vehicle,
                "fare_ugx": fare_ugx,
                "status": status,
                "booked_by": booked_by or order["buyer_id"],
                "booked_at": created,
            }
        )
    return item


def _storable(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


# ---------------------------------------------------------------------------- a trade to carry
@dataclass
class Trade:
    """A real order (listing, order, confirmation, payment through the market's handlers) and the
    buyer's delivery PIN texted when it was paid."""

    farmer: User
    buyer: User
    order: dict[str, Any]
    pin: str | None = None


@dataclass
class Logistics:
    """The deployment, its API and tables, and shortcuts for the steps' tests."""

    deployment: Deployment
    api: Api
    invoke: Invoke
    texts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def table(self) -> Table:
        return Table(self.deployment.physical["LogisticsTable"])

    @property
    def market_table(self) -> Table:
        return Table(self.deployment.physical["MarketTable"])

    def trade(self, *, paid: bool = True, confirmed: bool = True) -> Trade:
        farmer, buyer = new_user("farmer"), new_user("buyer")
        body = {
            "title": "Matooke from Masaka",
            "crop": "matooke",
            "price_per_kg": 1500,
            "quantity_kg": "100",
            "district": "Masaka",
        }
        listing = self.api.post("/listings/", body, user=farmer).expect(201).json
        order = (
            self.api.post("/orders/", {"listing_id": listing["id"], "quantity_kg": "30"}, user=buyer)
            .expect(201)
            .json
        )
        trade = Trade(farmer, buyer, dict(order))
        if confirmed:
            self.api.patch(f"/orders/{order['id']}/status", {"new_status": "confirmed"}, user=farmer).expect(
                200
            )
        if paid:
            self.pay(order["id"])
            trade.pin = self.pin_texted()
        return trade

    def pay(self, order_id: str) -> None:
        """The buyer's payment completed (payments' event, to the market's consumer): the order is
        paid into escrow and the buyer is texted their delivery PIN."""
        order = self.market_table.item(f"ORDER#{order_id}", "ORDER")
        assert order is not None, order_id
        detail = {
            "event_id": f"pay-{order_id}",
            "occurred_at": "2026-11-21T09:30:00Z",
            "payment_id": f"P{order_id}",
            "order_id": order_id,
            "buyer_id": order["buyer_id"],
            "farmer_id": order["farmer_id"],
            "amount_ugx": int(order["total_ugx"]),
            "currency": "UGX",
            "provider": "momo",
            "confirmation_code": "MP123",
        }
        event = eventbridge_event("soko.payments", "PaymentCompleted", detail)
        assert self.invoke("MarketPaymentsConsumerFunction", sqs_event(event)) == {"batchItemFailures": []}

    def pin_texted(self) -> str:
        found = re.search(r"\b([0-9]{6})\b", self.texts[-1][1])
        assert found is not None, self.texts
        return found.group(1)

    def book(self, trade: Trade, transporter: User, **fields: Any) -> dict[str, Any]:
        return seed_booking(self.table.name, trade.order, transporter, **fields)

    def booking(self, booking_id: str) -> dict[str, Any]:
        found = self.table.item(f"BOOKING#{booking_id}", "BOOKING")
        assert found is not None, booking_id
        return found

    def order_transport(self, order_id: str) -> dict[str, Any] | None:
        return self.table.item(f"ORDER#{order_id}", "TRANSPORT")

    def slot(self, booking: dict[str, Any]) -> dict[str, Any] | None:
        return self.table.item(f"VEHICLE#{booking['vehicle_id']}", f"SLOT#{booking['pickup_day']}")

    def order(self, order_id: str) -> dict[str, Any]:
        found = self.market_table.item(f"ORDER#{order_id}", "ORDER")
        assert found is not None, order_id
        return found

    def step(self, booking_id: str, step: str, user: User, body: Any = None) -> Any:
        path = f"/transport/bookings/{booking_id}/{step}"
        return self.api.post(path, user=user) if body is None else self.api.post(path, body, user=user)

    def details(self, detail_type: str, table: Table | None = None) -> list[dict[str, Any]]:
        return (table or self.table).outbox_details(detail_type)

    def notices(self) -> list[dict[str, Any]]:
        return self.table.outbox_details("TransportNoticeIssued")

    # ---- events, as the bus delivers them
    def consume(self, function: str, *events: dict[str, Any]) -> Any:
        return self.invoke(function, sqs_event(*events))

    def outbox_event(self, table: Table, detail_type: str) -> dict[str, Any]:
        items = table.outbox(detail_type)
        assert items, detail_type
        return from_outbox(items[-1])

    # ---- timers
    def schedule(self, name: str) -> dict[str, Any]:
        group = self.deployment.schedule_groups["BookingTimerGroup"]
        return dict(boto3.client("scheduler", region_name=REGION).get_schedule(GroupName=group, Name=name))

    def fire(self, name: str) -> Any:
        """What the scheduler does when the timer is due: its Input, to the timer queue's consumer."""
        body = self.schedule(name)["Target"]["Input"]
        return self.invoke(
            "BookingTimersConsumerFunction", {"Records": [{**sqs_event({})["Records"][0], "body": body}]}
        )


def forget_stream_records() -> None:
    """Drop the DynamoDB stream records moto keeps for every write (no relay runs here; see the
    market suite's ``market_support.forget_stream_records``: kept records make writes ever slower)."""
    from moto.dynamodb.models import dynamodb_backends  # noqa: PLC0415

    for table in dynamodb_backends[ACCOUNT_ID][REGION].tables.values():
        if table.stream_shard is not None:
            table.stream_shard.items.clear()


def clock_at(setattr: Callable[[Any, str, Any], None]) -> Callable[[datetime], None]:
    """``travel(moment)``: soko.shared.clock says it is ``moment`` for every handler called after."""

    def travel(moment: datetime) -> None:
        setattr(clock, "now", lambda: moment.replace(microsecond=0))

    return travel


def moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))
