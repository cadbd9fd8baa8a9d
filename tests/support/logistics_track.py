"""TEST FIXTURE for tracking's functional tests: a booking written straight into the logistics table
on top of a real, confirmed order (placed and confirmed through the market's own functions).

It stands in for ``POST /transport/bookings`` (the core part of issue 17) so tracking can be tested
on its own: the items follow the layout of ``soko.logistics.dal`` (the booking with its gsi1/gsi2
keys, the parties' items, the order's transport item) and the booking is checked against the
shared ``Booking`` model. Once bookings are made through the API, tests may book through it instead.
Also here: the frozen clock the handlers read, a capture of what the functions publish on the bus,
and the fixtures a tracking test module imports."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from soko.logistics.dal import booking_key, order_transport_key
from soko.logistics.models import Booking, BookingStatus
from soko.shared import clock, ids
from soko.shared.places import EARTH_RADIUS_KM
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api, Reply
from support.lambda_env import REGION, deployed, make_invoker
from support.tables import Table, empty_table
from support.users import User, new_user

PICKUP = (2.7724, 32.2881)  # Gulu
DROPOFF = (0.3476, 32.5825)  # Kampala
KM_PER_DEGREE_LAT = EARTH_RADIUS_KM * math.pi / 180


def north_of_dropoff(metres: float) -> tuple[float, float]:
    """A point ``metres`` due north of the drop-off (the road from Gulu comes from the north)."""
    return (DROPOFF[0] + metres / 1000 / KM_PER_DEGREE_LAT, DROPOFF[1])


@dataclass
class FrozenClock:
    """What ``soko.shared.clock.now`` answers in the handlers (in-process): moved by the test."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)

    def iso(self, offset_seconds: float = 0) -> str:
        return clock.iso(self.moment + timedelta(seconds=offset_seconds))


@dataclass
class TrackedBooking:
    id: str
    order_id: str
    buyer: User
    farmer: User
    transporter: User
    item: dict[str, Any]

    @property
    def path(self) -> str:
        return f"/transport/bookings/{self.id}/positions"


@dataclass
class Bus:
    """Every soko.logistics event published on the bus, through a rule and queue of the test's own."""

    url: str
    sqs: Any = field(default_factory=lambda: boto3.client("sqs", region_name=REGION))

    def drain(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while batch := self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in batch:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return found

    def types(self) -> list[str]:
        return [e["detail-type"] for e in self.drain()]


@dataclass
class Logistics:
    api: Api
    table: Table
    clock: FrozenClock

    def confirmed_order(self, buyer: User, farmer: User) -> dict[str, Any]:
        listing = self.api.post(
            "/listings/",
            {
                "title": "Maize grain",
                "crop": "maize",
                "price_per_kg": 1200,
                "quantity_kg": "500",
                "district": "Gulu",
            },
            user=farmer,
        ).expect(201)
        order = self.api.post(
            "/orders/", {"listing_id": listing.json["id"], "quantity_kg": "200"}, user=buyer
        ).expect(201)
        self.api.patch(f"/orders/{order.json['id']}/status", {"new_status": "confirmed"}, user=farmer).expect(
            200
        )
        return dict(order.json)

    def booking(self, status: BookingStatus = "picked_up", **fields: Any) -> TrackedBooking:
        """A booking of a real confirmed order, written as the core part would store it."""
        buyer, farmer, transporter = new_user("buyer"), new_user("farmer"), new_user("transporter")
        order = self.confirmed_order(buyer, farmer)
        booking_id, created = ids.ulid(), self.clock.iso(-3600)
        booking = Booking.model_validate(
            {
                "id": booking_id,
                "order_id": order["id"],
                "quote_id": ids.ulid(),
                "vehicle_id": ids.ulid(),
                "vehicle_type": "pickup",
                "plate": "UBA 123X",
                "transporter_id": transporter.id,
                "transporter_name": "Okello",
                "buyer_id": buyer.id,
                "farmer_id": farmer.id,
                "booked_by": buyer.id,
                "status": status,
                "fare_ugx": 250_000,
                "distance_km": 340.0,
                "weight_kg": 200.0,
                "pickup_day": created[:10],
                "pickup": {"district": "Gulu", "lat": PICKUP[0], "lon": PICKUP[1]},
                "dropoff": {
                    "district": "Kampala",
                    "lat": DROPOFF[0],
                    "lon": DROPOFF[1],
                    "address": "Nakasero",
                },
                "answer_by": self.clock.iso(-1800),
                "created_at": created,
                "updated_at": created,
                "version": 3,
                **fields,
            }
        )
        stored = booking.model_dump(mode="json", exclude_none=True, exclude={"track"})
        item = {
            **booking_key(booking_id),
            **stored,
            "gsi1pk": f"TRANSPORTER#{transporter.id}",
            "gsi1sk": f"{created}#{booking_id}",
            "gsi2pk": f"ORDER#{order['id']}",
            "gsi2sk": f"{created}#{booking_id}",
        }
        table = self.table.table
        table.put_item(Item=_decimal(item))
        for party in (buyer, farmer):
            table.put_item(
                Item={
                    "pk": f"PARTY#{party.id}",
                    "sk": f"BOOKING#{created}#{booking_id}",
                    "booking_id": booking_id,
                }
            )
        table.put_item(
            Item=_decimal(
                {
                    **order_transport_key(order["id"]),
                    "order_id": order["id"],
                    "booking_id": booking_id,
                    "transporter_id": transporter.id,
                    "vehicle_id": booking.vehicle_id,
                    "fare_ugx": booking.fare_ugx,
                    "status": status,
                    "booked_by": buyer.id,
                    "booked_at": created,
                }
            )
        )
        return TrackedBooking(booking_id, order["id"], buyer, farmer, transporter, item)

    def stored(self, booking: TrackedBooking) -> dict[str, Any]:
        found = self.table.item(*booking_key(booking.id).values())
        assert found is not None
        return found

    def fixes(self, booking: TrackedBooking) -> list[dict[str, Any]]:
        return [i for i in self.table.partition(f"BOOKING#{booking.id}") if str(i["sk"]).startswith("POS#")]

    def post(
        self, booking: TrackedBooking, *fixes: dict[str, Any], user: User | None = None, free: bool = True
    ) -> Reply:
        """Send a batch as the transporter; ``free``: the booking's batch slot is freed first (a test
        of anything but the rate bound should not have to wait for it)."""
        if free:
            self.table.table.delete_item(Key={"pk": f"BOOKING#{booking.id}", "sk": "RATE#POSITIONS"})
        return self.api.post(booking.path, {"fixes": list(fixes)}, user=user or booking.transporter)

    def fix(self, metres_from_dropoff: float, offset_seconds: float = 0, **extra: Any) -> dict[str, Any]:
        lat, lon = north_of_dropoff(metres_from_dropoff)
        return {"lat": lat, "lon": lon, "at": self.clock.iso(offset_seconds), **extra}


def _decimal(item: dict[str, Any]) -> dict[str, Any]:
    from soko.shared.dynamo import storable  # noqa: PLC0415

    return dict(storable(item))


# ---------------------------------------------------------------------------- fixtures (import them)
@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-tracking") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def api(deployment: Deployment, app_model: AppModel) -> Api:
    return Api(make_invoker(deployment), app_model.http_apis[0].routes)


@pytest.fixture(scope="module")
def bus(deployment: Deployment) -> Bus:
    sqs, events = boto3.client("sqs", region_name=REGION), boto3.client("events", region_name=REGION)
    url = sqs.create_queue(QueueName="logistics-events-under-test")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = str(deployment.functions["PositionsPostFunction"].environment["EVENT_BUS_NAME"])
    events.put_rule(
        Name="logistics-under-test", EventBusName=name, EventPattern='{"source": ["soko.logistics"]}'
    )
    events.put_targets(Rule="logistics-under-test", EventBusName=name, Targets=[{"Id": "q", "Arn": arn}])
    return Bus(str(url))


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(clock, "now", frozen.now)
    return frozen


@pytest.fixture
def logistics(api: Api, deployment: Deployment, frozen: FrozenClock, bus: Bus) -> Logistics:
    for name in ("LogisticsTable", "MarketTable", "IdempotencyTable"):
        key = ("id",) if name == "IdempotencyTable" else ("pk", "sk")
        empty_table(deployment.physical[name], key)
    bus.drain()
    return Logistics(api, Table(deployment.physical["LogisticsTable"]), frozen)
