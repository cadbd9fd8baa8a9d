"""Browsers' push subscriptions: https endpoints only (an http one only from the one origin the
deployment allows: the local sandbox push service), keys of the right sizes, one per endpoint."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from soko.notifications.devices import InvalidPushSubscription, subscribe, unsubscribe
from soko.notifications.models import PushSubscriptionIn
from soko.shared.identity import Caller

P256 = base64.urlsafe_b64encode(b"\x04" + b"k" * 64).decode().rstrip("=")
AUTH = base64.urlsafe_b64encode(b"a" * 16).decode().rstrip("=")
ME = Caller(user_id="01JBUYER", role="buyer", email="")


class Store:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def put_web_push_subscription(self, user_id: str, subscription_id: str, item: dict[str, Any]) -> None:
        self.items[user_id, subscription_id] = item

    def delete_web_push_subscription(self, user_id: str, subscription_id: str) -> None:
        self.items.pop((user_id, subscription_id), None)


def _sub(endpoint: str, p256dh: str = P256, auth: str = AUTH) -> PushSubscriptionIn:
    return PushSubscriptionIn.model_validate({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}})


def test_an_https_subscription_is_kept_once_per_endpoint_and_removed() -> None:
    store = Store()
    first = subscribe(ME, _sub("https://fcm.googleapis.com/fcm/send/a"), store)
    assert subscribe(ME, _sub("https://fcm.googleapis.com/fcm/send/a"), store) == first
    assert list(store.items) == [("01JBUYER", first.id)]
    unsubscribe(ME, first.id, store)
    unsubscribe(ME, first.id, store)  # idempotent
    assert store.items == {}


def test_http_only_from_the_allowed_origin() -> None:
    sandbox = "http://127.0.0.1:3000/_sandbox/push/send/t"
    with pytest.raises(InvalidPushSubscription):
        subscribe(ME, _sub(sandbox), Store())
    subscribe(ME, _sub(sandbox), Store(), http_origin="http://127.0.0.1:3000")
    with pytest.raises(InvalidPushSubscription):
        subscribe(ME, _sub("http://evil.example:3000/x"), Store(), http_origin="http://127.0.0.1:3000")


def test_keys_of_the_wrong_size_are_refused() -> None:
    not_a_point = base64.urlsafe_b64encode(b"k" * 64).decode().rstrip("=")  # 64 bytes, not 65
    assert len(not_a_point) >= 86
    with pytest.raises(InvalidPushSubscription):
        subscribe(ME, _sub("https://push.example/x", p256dh=not_a_point), Store())
