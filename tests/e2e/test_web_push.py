"""Web Push end to end under the local runtime: a browser's subscription (a test key pair, as a
browser makes) pointed at the sandbox push service receives the buyer's order notification when the
farmer confirms the order, sent by the notifications pipeline with pywebpush (VAPID-signed,
aes128gcm), and the test decrypts it with its own keys (http_ece), as the browser would."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from typing import Any

import http_ece
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .test_market import TIMEOUT, create_listing, new_user, placed, set_status


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_subscribed_browser_receives_an_order_notification_it_can_decrypt(
    soko: Any, http: requests.Session
) -> None:
    farmer, buyer = new_user(soko, http, "farmer"), new_user(soko, http, "buyer")
    key = http.get(f"{soko.url}/notifications/push/key", headers=buyer.headers, timeout=TIMEOUT)
    assert key.status_code == 200 and len(_unb64(key.json()["public_key"])) == 65

    browser_key, auth = ec.generate_private_key(ec.SECP256R1()), os.urandom(16)
    point = browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    token = uuid.uuid4().hex
    subscription = {
        "endpoint": f"{soko.url}/_sandbox/push/send/{token}",
        "expirationTime": None,
        "keys": {"p256dh": _b64(point), "auth": _b64(auth)},
    }
    created = http.post(
        f"{soko.url}/notifications/push/subscriptions",
        json=subscription,
        headers=buyer.headers,
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text

    listing = create_listing(soko, http, farmer)
    order = placed(soko, http, buyer, listing["id"], "5")
    assert set_status(soko, http, farmer, order["id"], "confirmed").status_code == 200

    deadline, pushed = time.monotonic() + 60, []
    while time.monotonic() < deadline and not pushed:
        got = http.get(f"{soko.url}/_sandbox/push/received", params={"token": token}, timeout=TIMEOUT)
        pushed = got.json()["messages"]
        time.sleep(0.5)
    assert len(pushed) == 1, "no push arrived"
    plain = http_ece.decrypt(
        _unb64(pushed[0]["body"]), private_key=browser_key, auth_secret=auth, version="aes128gcm"
    )
    message = json.loads(plain)
    assert message["type"] == "order_confirmed" and message["title"] == "Order confirmed"
    assert message["data"]["order_id"] == order["id"]
