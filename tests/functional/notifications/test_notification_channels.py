"""Every channel, one preference (in-process against moto): the preferences endpoints, notices and
order events through NotificationsConsumerFunction (in-app stored, SMS once), a phone-only notice,
AT's delivery report reaching the SMS's delivery record, and quiet hours held by a real timer that
NotificationTimersConsumerFunction delivers."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import boto3
import pytest
from notifications_support import Notifications

from soko.logistics.events import TransportNoticeIssued
from soko.notifications import channels
from soko.notifications import deps as notifications_deps
from soko.notifications.logic import notification_id
from soko.shared import ids
from soko.weather.events import WeatherAdviceIssued
from soko_local import timers as local_timers
from soko_local.provision import Deployment
from support.events import order_detail, sqs_event
from support.tables import dynamodb
from support.users import User

TEXTS = {
    "title": {"en": "Heavy rain", "lg": "Enkuba nnyingi"},
    "body": {"en": "Heavy rain tomorrow: dry and store your grain.", "lg": "Enkuba nnyingi enkya."},
    "sms": {"en": "Soko: heavy rain tomorrow in Gulu.", "lg": "Soko: enkuba nnyingi enkya e Gulu."},
}


class FakeSms:
    sent: ClassVar[list[tuple[str, str]]] = []

    def send_one(self, to: str, message: str) -> str:
        FakeSms.sent.append((to, message))
        return f"ATXid_{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def _sms(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeSms.sent = []
    monkeypatch.setattr(notifications_deps, "configured_sender", FakeSms)


def account(deployment: Deployment, role: str, phone: str, *, app: bool, language: str = "en") -> User:
    user = User(id=ids.ulid(), role=role)
    item = {
        "pk": f"USER#{user.id}",
        "sk": "PROFILE",
        "id": user.id,
        "role": role,
        "phone": phone,
        "phone_verified": True,
        "language": language,
        "created_at": "2026-11-21T09:30:00Z",
        "updated_at": "2026-11-21T09:30:00Z",
        **({"password_hash": "$argon2id$x", "email": f"{user.id.lower()}@example.com"} if app else {}),
    }
    dynamodb().Table(deployment.physical["UsersTable"]).put_item(Item=item)
    return user


def advice(**recipient: Any) -> dict[str, Any]:
    return WeatherAdviceIssued(
        notice_id=f"rain:{uuid.uuid4().hex[:8]}", category="weather", **TEXTS, **recipient
    ).model_dump(mode="json")


def test_preferences_start_from_the_defaults_and_keep_what_is_put(notifications: Notifications) -> None:
    user = User(id=ids.ulid(), role="buyer")
    got = notifications.api.get("/notifications/preferences", user=user).expect(200).json
    assert got["quiet_hours"] is None
    assert got["categories"]["orders"] == {"sms": True, "web_push": True, "mobile_push": True, "email": False}
    assert got["categories"]["alerts"]["sms"] is False
    choice = {
        "categories": {"alerts": {"sms": True, "web_push": False, "mobile_push": False, "email": True}},
        "quiet_hours": {"start": "22:00", "end": "06:30"},
    }
    put = notifications.api.put("/notifications/preferences", choice, user=user).expect(200).json
    assert put["categories"]["alerts"] == choice["categories"]["alerts"]
    assert put["categories"]["orders"]["sms"] is True  # the others keep their choice
    again = notifications.api.get("/notifications/preferences", user=user).expect(200).json
    assert again == put and again["quiet_hours"] == {"start": "22:00", "end": "06:30"}
    other = notifications.api.get("/notifications/preferences", user=User(id=ids.ulid(), role="buyer"))
    assert other.expect(200).json["categories"]["alerts"]["sms"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"quiet_hours": {"start": "25:00", "end": "06:00"}},
        {"quiet_hours": {"start": "22:00", "end": "22:00"}},
        {"categories": {"sports": {"sms": True, "web_push": True, "mobile_push": True, "email": True}}},
        {"categories": {"alerts": {"sms": True}}},
        {"categories": {}, "extra": 1},
        {"categories": {"alerts": {"sms": "maybe", "web_push": True, "mobile_push": True, "email": True}}},
    ],
)
def test_bad_preferences_are_422(notifications: Notifications, body: dict[str, Any]) -> None:
    user = User(id=ids.ulid(), role="buyer")
    notifications.api.put("/notifications/preferences", body, user=user).expect(422)


def test_preferences_need_a_signed_in_caller(notifications: Notifications) -> None:
    assert notifications.api.get("/notifications/preferences").status == 401


def test_a_notice_is_stored_in_app_in_the_users_language_and_texted_once_to_a_basic_phone(
    notifications: Notifications, deployment: Deployment
) -> None:
    farmer = account(deployment, "farmer", "+256772000801", app=False, language="lg")
    notice = advice(user_id=farmer.id)
    assert notifications.deliver("soko.weather", "WeatherAdviceIssued", notice) == {"batchItemFailures": []}
    assert notifications.deliver("soko.weather", "WeatherAdviceIssued", notice) == {"batchItemFailures": []}
    (mine,) = notifications.mine(farmer)
    assert (mine["type"], mine["category"], mine["title"]) == ("notice", "weather", "Enkuba nnyingi")
    assert mine["texts"]["en"]["title"] == "Heavy rain"
    assert FakeSms.sent == [("+256772000801", "Soko: enkuba nnyingi enkya e Gulu.")]


def test_a_transport_notice_reaches_the_transporter(
    notifications: Notifications, deployment: Deployment
) -> None:
    rider = account(deployment, "transporter", "+256772000803", app=False, language="lg")
    notice = TransportNoticeIssued(
        notice_id="transport-booked-B1", user_id=rider.id, category="orders", **TEXTS
    ).model_dump(mode="json")
    assert notifications.deliver("soko.logistics", "TransportNoticeIssued", notice) == {
        "batchItemFailures": []
    }
    assert FakeSms.sent == [("+256772000803", "Soko: enkuba nnyingi enkya e Gulu.")]


def test_a_phone_only_notice_is_one_sms_in_its_language(notifications: Notifications) -> None:
    notice = advice(phone="+256772000802", language="lg")
    for _ in range(2):
        assert notifications.deliver("soko.weather", "WeatherAdviceIssued", notice) == {
            "batchItemFailures": []
        }
    assert FakeSms.sent == [("+256772000802", "Soko: enkuba nnyingi enkya e Gulu.")]


def test_an_app_user_gets_no_sms_of_a_category_they_did_not_choose(
    notifications: Notifications, deployment: Deployment
) -> None:
    buyer = account(deployment, "buyer", "+256772000803", app=True)
    notices = {"user_id": buyer.id, "category": "alerts"}
    detail = {**advice(user_id=buyer.id), **notices}
    notifications.deliver("soko.alerts", "PriceAlertTriggered", detail)
    assert FakeSms.sent == [] and len(notifications.mine(buyer)) == 1
    choice = {
        "categories": {"alerts": {"sms": True, "web_push": False, "mobile_push": False, "email": False}}
    }
    notifications.api.put("/notifications/preferences", choice, user=buyer).expect(200)
    notifications.deliver(
        "soko.alerts", "PriceAlertTriggered", {**detail, "notice_id": "another", "event_id": ids.ulid()}
    )
    assert [to for to, _ in FakeSms.sent] == ["+256772000803"]


def test_an_order_sms_is_not_sent_twice_and_its_delivery_report_marks_it_delivered(
    notifications: Notifications, deployment: Deployment
) -> None:
    farmer = account(deployment, "farmer", "+256772000804", app=False)
    buyer = account(deployment, "buyer", "+256772000805", app=True)
    placed = order_detail(ids.ulid(), buyer_id=buyer.id, farmer_id=farmer.id, event_id=ids.ulid())
    for _ in range(2):
        assert notifications.deliver("soko.orders", "OrderPlaced", placed) == {"batchItemFailures": []}
    assert [to for to, _ in FakeSms.sent] == ["+256772000804"]
    nid = notification_id(placed["event_id"], farmer.id)
    table = dynamodb().Table(deployment.physical["NotificationsTable"])
    record = table.get_item(Key={"pk": f"DELIVERY#{nid}", "sk": "sms"})["Item"]
    assert record["delivery"] == "sent" and record["provider_id"].startswith("ATXid_")

    # Africa's Talking reports it: messaging publishes SmsDeliveryReported, the pipeline links it
    event = json.loads((Path(__file__).parents[3] / "events" / "SmsDeliveryReportsFunction.json").read_text())
    event["body"] = urlencode({"id": record["provider_id"], "status": "Success"})
    assert notifications.api.invoke("SmsDeliveryReportsFunction", event)["statusCode"] == 200
    reported = {"message_id": record["provider_id"], "status": "Success", "event_id": ids.ulid()}
    assert notifications.deliver("soko.messaging", "SmsDeliveryReported", reported) == {
        "batchItemFailures": []
    }
    record = table.get_item(Key={"pk": f"DELIVERY#{nid}", "sk": "sms"})["Item"]
    assert record["delivery"] == "delivered"


def test_quiet_hours_hold_the_sms_until_a_timer_fires(
    notifications: Notifications, deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    buyer = account(deployment, "buyer", "+256772000806", app=True)
    quiet = {"quiet_hours": {"start": "00:00", "end": "23:59"}}  # quiet almost all day
    notifications.api.put("/notifications/preferences", quiet, user=buyer).expect(200)
    night = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)  # 00:00 EAT
    monkeypatch.setattr(channels.clock, "now", lambda: night)
    confirmed = order_detail(ids.ulid(), buyer_id=buyer.id, farmer_id=ids.ulid(), event_id=ids.ulid())
    assert notifications.deliver("soko.orders", "OrderConfirmed", confirmed) == {"batchItemFailures": []}
    assert FakeSms.sent == [] and len(notifications.mine(buyer)) == 1  # in-app at once

    def client(service: str) -> Any:
        return boto3.client(service, region_name="us-east-1")

    groups = list(deployment.schedule_groups.values())
    assert local_timers.fire_due(client, groups, datetime(2026, 12, 3, 20, 0, tzinfo=UTC)) == []
    assert local_timers.fire_due(client, groups, datetime(2026, 12, 3, 21, 0, tzinfo=UTC))
    url = deployment.physical["NotificationTimerQueue"]
    got = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    batch = {
        "Records": [
            {**sqs_event({})["Records"][0], "messageId": m["MessageId"], "body": m["Body"]} for m in got
        ]
    }
    for _ in range(2):  # a timer delivered twice sends nothing twice
        answer = notifications.api.invoke("NotificationTimersConsumerFunction", batch)
        assert answer == {"batchItemFailures": []}
    assert [to for to, _ in FakeSms.sent] == ["+256772000806"]
