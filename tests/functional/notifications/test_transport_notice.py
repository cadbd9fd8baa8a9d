"""The logistics domain's notices reach the notification pipeline: a buyer whose produce arrived
(``TransportNoticeIssued`` from tracking's geofence) gets it in-app in their language and, on a
basic phone, one SMS."""

from __future__ import annotations

import uuid
from typing import ClassVar

import pytest
from notifications_support import Notifications

from soko.logistics import tracking
from soko.logistics.models import Booking, Fix
from soko.notifications import deps as notifications_deps
from soko.shared import ids
from soko_local.provision import Deployment
from support.tables import dynamodb
from support.users import User


class FakeSms:
    sent: ClassVar[list[tuple[str, str]]] = []

    def send_one(self, to: str, message: str) -> str:
        FakeSms.sent.append((to, message))
        return f"ATXid_{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def _sms(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeSms.sent = []
    monkeypatch.setattr(notifications_deps, "configured_sender", FakeSms)


def basic_phone_buyer(deployment: Deployment, phone: str) -> User:
    user = User(id=ids.ulid(), role="buyer")
    item = {
        "pk": f"USER#{user.id}",
        "sk": "PROFILE",
        "id": user.id,
        "role": "buyer",
        "phone": phone,
        "phone_verified": True,
        "language": "lg",
        "created_at": "2026-11-21T09:30:00Z",
        "updated_at": "2026-11-21T09:30:00Z",
    }
    dynamodb().Table(deployment.physical["UsersTable"]).put_item(Item=item)
    return user


def test_the_arrival_notice_is_in_app_and_one_luganda_sms(
    notifications: Notifications, deployment: Deployment
) -> None:
    buyer = basic_phone_buyer(deployment, "+256772000901")
    booking = Booking.model_validate(
        {
            "id": ids.ulid(),
            "order_id": ids.ulid(),
            "quote_id": ids.ulid(),
            "vehicle_id": ids.ulid(),
            "vehicle_type": "boda_boda",
            "plate": "UEX 456K",
            "transporter_id": ids.ulid(),
            "transporter_name": "Okello",
            "buyer_id": buyer.id,
            "farmer_id": ids.ulid(),
            "booked_by": buyer.id,
            "status": "picked_up",
            "fare_ugx": 30_000,
            "distance_km": 12.0,
            "weight_kg": 50.0,
            "pickup_day": "2026-11-21",
            "pickup": {"district": "Wakiso", "lat": 0.40, "lon": 32.46},
            "dropoff": {"district": "Kampala", "lat": 0.3476, "lon": 32.5825},
            "answer_by": "2026-11-21T09:00:00Z",
            "created_at": "2026-11-21T08:00:00Z",
            "updated_at": "2026-11-21T08:00:00Z",
            "version": 3,
        }
    )
    _, notice = tracking.arrival_events(booking, Fix(lat=0.349, lon=32.5825, at="2026-11-21T09:30:00Z"))
    detail = notice.model_dump(mode="json")
    for _ in range(2):  # redelivered: nothing sent twice
        assert notifications.deliver("soko.logistics", "TransportNoticeIssued", detail) == {
            "batchItemFailures": []
        }
    (mine,) = notifications.mine(buyer)
    assert (mine["type"], mine["category"], mine["title"]) == ("notice", "orders", "Ebirime byo bituuse")
    assert FakeSms.sent == [("+256772000901", notice.sms.lg)]
