"""Web Push and mobile push (in-process against moto): the VAPID key, browsers' subscriptions
(validated), an order notification pushed with pywebpush to the sandbox push service (a real RFC 8030
endpoint on the loopback) and decrypted with the subscription's own keys, a 410 removing the
subscription; phones registered as SNS platform endpoints, and a disabled endpoint removing its
device."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from notifications_support import Notifications
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from soko.notifications.dal import NotificationsDal
from soko.shared import ids
from soko_local import sandbox_push
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.events import order_detail
from support.gateway import Api
from support.lambda_env import make_invoker
from support.tables import dynamodb
from support.users import User


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """A browser's side of a subscription: its P-256 key pair and auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = uuid.uuid4().bytes
        self.endpoint = endpoint
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.json = {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64(point), "auth": b64(self.auth)},
        }

    def decrypt(self, body: str) -> dict[str, Any]:
        plain = http_ece.decrypt(
            unb64(body), private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return dict(json.loads(plain))


@pytest.fixture(scope="module")
def push_service() -> Iterator[tuple[str, sandbox_push.Twin]]:
    twin = sandbox_push.Twin()

    @Request.application
    def app(request: Request) -> Response:
        return twin.dispatch(request, request.path.removeprefix("/_sandbox")) or Response("", status=404)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", twin
    server.shutdown()


@pytest.fixture
def api(
    deployment: Deployment, app_model: AppModel, push_service: tuple[str, Any], notifications: Notifications
) -> Api:
    """The API with the sandbox's http origin allowed and an Android platform application."""
    sns = boto3.client("sns", region_name="us-east-1")
    android = sns.create_platform_application(Name="soko-android", Platform="GCM", Attributes={})
    overrides = {
        "WEB_PUSH_HTTP_ORIGIN": push_service[0],
        "SNS_ANDROID_APPLICATION_ARN": android["PlatformApplicationArn"],
    }
    return Api(make_invoker(deployment, overrides=lambda: overrides), app_model.http_apis[0].routes)


def account(deployment: Deployment, role: str = "buyer") -> User:
    user = User(id=ids.ulid(), role=role)
    dynamodb().Table(deployment.physical["UsersTable"]).put_item(
        Item={
            "pk": f"USER#{user.id}",
            "sk": "PROFILE",
            "id": user.id,
            "role": role,
            "email": f"{user.id.lower()}@example.com",
            "password_hash": "$argon2id$x",
            "language": "lg",
            "created_at": "2026-11-21T09:30:00Z",
            "updated_at": "2026-11-21T09:30:00Z",
        }
    )
    return user


def test_the_vapid_key_is_a_p256_point(api: Api) -> None:
    key = api.get("/notifications/push/key", user=User(id=ids.ulid(), role="buyer")).expect(200).json
    assert len(unb64(key["public_key"])) == 65 and unb64(key["public_key"])[0] == 4
    assert api.get("/notifications/push/key").status == 401


def test_subscriptions_are_validated(api: Api, push_service: tuple[str, Any]) -> None:
    user = User(id=ids.ulid(), role="buyer")
    good = Browser("https://fcm.googleapis.com/fcm/send/abc").json
    first = api.post("/notifications/push/subscriptions", good, user=user).expect(201).json
    assert api.post("/notifications/push/subscriptions", good, user=user).expect(201).json == first
    sandbox = Browser(f"{push_service[0]}/_sandbox/push/send/x").json
    api.post("/notifications/push/subscriptions", sandbox, user=user).expect(201)
    for bad in (
        {**good, "endpoint": "http://push.example.com/x"},
        {**good, "endpoint": "not a url"},
        {**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": b64(b"short")}},
        {**good, "keys": {"p256dh": b64(b"x" * 64), "auth": good["keys"]["auth"]}},
        {**good, "extra": 1},
        {"endpoint": good["endpoint"]},
    ):
        api.post("/notifications/push/subscriptions", bad, user=user).expect(422)
    assert api.delete(f"/notifications/push/subscriptions/{first['id']}", user=user).status == 204
    assert api.delete(f"/notifications/push/subscriptions/{first['id']}", user=user).status == 204
    assert api.post("/notifications/push/subscriptions", good).status == 401


def test_an_order_notification_is_pushed_encrypted_and_a_gone_subscription_removed(
    api: Api,
    notifications: Notifications,
    deployment: Deployment,
    push_service: tuple[str, sandbox_push.Twin],
) -> None:
    origin, twin = push_service
    buyer = account(deployment)
    token = uuid.uuid4().hex
    browser = Browser(f"{origin}/_sandbox/push/send/{token}")
    api.post("/notifications/push/subscriptions", browser.json, user=buyer).expect(201)
    confirmed = order_detail(ids.ulid(), buyer_id=buyer.id, farmer_id=ids.ulid(), event_id=ids.ulid())
    for _ in range(2):  # redelivered: pushed once
        assert notifications.deliver("soko.orders", "OrderConfirmed", confirmed) == {"batchItemFailures": []}
    (received,) = [m for m in twin.received if m["token"] == token]
    assert received["authorization"].lower().startswith("vapid ")
    message = browser.decrypt(received["body"])
    assert message["title"] == "Oda ekakasiddwa" and message["type"] == "order_confirmed"
    assert message["data"]["order_id"] == confirmed["order_id"]

    twin.gone.add(token)  # the browser unsubscribed: its push service answers 410
    rejected = {**confirmed, "event_id": ids.ulid()}
    assert notifications.deliver("soko.orders", "OrderRejected", rejected) == {"batchItemFailures": []}
    assert NotificationsDal(deployment.physical["NotificationsTable"]).web_push_subscriptions(buyer.id) == []


def test_a_phone_registers_and_a_disabled_endpoint_removes_it(
    api: Api, notifications: Notifications, deployment: Deployment
) -> None:
    buyer = account(deployment)
    body = {"platform": "android", "token": f"fcm-{uuid.uuid4().hex}"}
    device = api.post("/notifications/devices", body, user=buyer).expect(201).json
    assert device["platform"] == "android"
    api.post("/notifications/devices", {"platform": "ios", "token": body["token"]}, user=buyer).expect(422)
    api.post("/notifications/devices", {"platform": "web", "token": body["token"]}, user=buyer).expect(422)
    dal = NotificationsDal(deployment.physical["NotificationsTable"])
    (stored,) = dal.devices(buyer.id)
    sns = boto3.client("sns", region_name="us-east-1")
    assert sns.get_endpoint_attributes(EndpointArn=stored["endpoint_arn"])["Attributes"]["Enabled"] == "true"

    confirmed = order_detail(ids.ulid(), buyer_id=buyer.id, farmer_id=ids.ulid(), event_id=ids.ulid())
    assert notifications.deliver("soko.orders", "OrderConfirmed", confirmed) == {"batchItemFailures": []}
    assert len(dal.devices(buyer.id)) == 1

    sns.set_endpoint_attributes(EndpointArn=stored["endpoint_arn"], Attributes={"Enabled": "false"})
    rejected = {**confirmed, "event_id": ids.ulid()}
    assert notifications.deliver("soko.orders", "OrderRejected", rejected) == {"batchItemFailures": []}
    assert dal.devices(buyer.id) == []
    other = User(id=ids.ulid(), role="buyer")
    assert api.delete(f"/notifications/devices/{device['id']}", user=other).status == 404


def test_a_device_is_removed_on_request(api: Api, deployment: Deployment) -> None:
    buyer = account(deployment)
    device = api.post(
        "/notifications/devices", {"platform": "android", "token": f"fcm-{uuid.uuid4().hex}"}, user=buyer
    )
    device_id = device.expect(201).json["id"]
    assert api.delete(f"/notifications/devices/{device_id}", user=buyer).status == 204
    assert NotificationsDal(deployment.physical["NotificationsTable"]).devices(buyer.id) == []
