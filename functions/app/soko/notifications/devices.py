"""Where a user's pushes go: browsers' Web Push subscriptions and mobile devices (SNS platform
endpoints). Rules only (no boto3 here): the store and the SNS endpoint registry are ports."""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Protocol
from urllib.parse import urlsplit

from soko.notifications.models import DeviceIn, DeviceOut, PushSubscriptionIn, PushSubscriptionOut
from soko.shared import clock
from soko.shared.errors import NotFound, Unprocessable
from soko.shared.identity import Caller


class InvalidPushSubscription(Unprocessable):
    code = "INVALID_PUSH_SUBSCRIPTION"


class PlatformNotAvailable(Unprocessable):
    code = "PUSH_PLATFORM_NOT_AVAILABLE"


class DeviceNotFound(NotFound):
    code = "DEVICE_NOT_FOUND"


class SubscriptionStore(Protocol):
    def put_web_push_subscription(self, user_id: str, subscription_id: str, item: dict[str, Any]) -> None: ...
    def delete_web_push_subscription(self, user_id: str, subscription_id: str) -> None: ...


class DeviceStore(Protocol):
    def put_device(self, user_id: str, device_id: str, item: dict[str, Any]) -> None: ...
    def get_device(self, user_id: str, device_id: str) -> dict[str, Any] | None: ...
    def delete_device(self, user_id: str, device_id: str) -> None: ...


class Endpoints(Protocol):
    """SNS platform endpoints (the mobile push registry)."""

    def create(self, platform: str, token: str, user_id: str) -> str | None: ...  # None: no such app
    def delete(self, endpoint_arn: str) -> None: ...


def _decoded_length(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except ValueError:
        return -1


def _id(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:26]


def subscribe(
    caller: Caller, subscription: PushSubscriptionIn, store: SubscriptionStore, *, http_origin: str = ""
) -> PushSubscriptionOut:
    """Keep a browser's subscription (the same endpoint again replaces it)."""
    url = urlsplit(subscription.endpoint)
    origin = f"{url.scheme}://{url.netloc}"
    if url.scheme != "https" and not (http_origin and origin == http_origin.rstrip("/")):
        raise InvalidPushSubscription(
            "A push endpoint must be an https URL.", details={"fields": ["endpoint"]}
        )
    if _decoded_length(subscription.keys.p256dh) != 65 or _decoded_length(subscription.keys.auth) != 16:
        raise InvalidPushSubscription(
            "The subscription's keys are not a P-256 key and a 16-byte secret.", details={"fields": ["keys"]}
        )
    subscription_id = _id(caller.user_id, subscription.endpoint)
    stored = {
        "subscription": {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.keys.p256dh, "auth": subscription.keys.auth},
        },
        "created_at": clock.now_iso(),
    }
    store.put_web_push_subscription(caller.user_id, subscription_id, stored)
    return PushSubscriptionOut(id=subscription_id)


def unsubscribe(caller: Caller, subscription_id: str, store: SubscriptionStore) -> None:
    """Idempotent: removing one that is not there (or someone else's) changes nothing."""
    store.delete_web_push_subscription(caller.user_id, subscription_id[:64])


def register_device(caller: Caller, device: DeviceIn, store: DeviceStore, endpoints: Endpoints) -> DeviceOut:
    """An SNS platform endpoint for the device's token (SNS answers the same endpoint for the same
    token), kept under the user."""
    device_id = _id(caller.user_id, device.platform, device.token)
    arn = endpoints.create(device.platform, device.token, caller.user_id)
    if arn is None:
        raise PlatformNotAvailable("Push to this platform is not set up.", details={"fields": ["platform"]})
    store.put_device(
        caller.user_id,
        device_id,
        {"platform": device.platform, "endpoint_arn": arn, "created_at": clock.now_iso()},
    )
    return DeviceOut(id=device_id, platform=device.platform)


def remove_device(caller: Caller, device_id: str, store: DeviceStore, endpoints: Endpoints) -> None:
    device = store.get_device(caller.user_id, device_id[:64])
    if device is None:
        raise DeviceNotFound("No such device.")
    endpoints.delete(str(device["endpoint_arn"]))
    store.delete_device(caller.user_id, device_id)
