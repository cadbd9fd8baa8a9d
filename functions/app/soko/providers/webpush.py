"""Web Push (RFC 8030 push services, RFC 8291 aes128gcm payloads, RFC 8292 VAPID) with the maintained
``pywebpush`` library, and the VAPID key pair it signs with (one Secrets Manager secret: JSON
``{"public_key": <base64url uncompressed P-256 point>, "private_key": <base64url 32-byte scalar>}``).

The browser's push service answers 404 or 410 for a subscription that is gone: :meth:`send` says
``"gone"`` and the caller removes it; any other failure raises.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from soko.shared import secrets
from soko.shared.config import BaseConfig, load

PushOutcome = Literal["sent", "gone"]
TTL_SECONDS = 24 * 3600  # a push service keeps an undelivered message for a day


class WebPushError(Exception):
    """The push service refused a push (not a gone subscription), or could not be reached."""


class VapidKeys(BaseModel):
    public_key: str = Field(min_length=1)
    private_key: str = Field(min_length=1, repr=False)

    @classmethod
    def from_secret(cls, value: str) -> VapidKeys:
        return cls.model_validate(json.loads(value))


class WebPushConfig(BaseConfig):
    """A function that reads the VAPID keys (``VAPID_SECRET_ARN``); the sender also signs with
    ``VAPID_SUBJECT`` (a mailto: or https: contact for push services)."""

    vapid_secret_arn: str = Field(min_length=1)
    vapid_subject: str = "mailto:support@soko.ug"


def vapid_keys() -> VapidKeys:
    return VapidKeys.from_secret(secrets.get(load(WebPushConfig).vapid_secret_arn))


class WebPushSender:
    def __init__(self, keys: VapidKeys, subject: str, *, timeout: float = 5.0) -> None:
        self._keys = keys
        self._subject = subject
        self._timeout = timeout

    def send(self, subscription: dict[str, Any], payload: str) -> PushOutcome:
        from pywebpush import WebPushException, webpush  # noqa: PLC0415  (only the senders load it)

        try:
            webpush(
                subscription_info=subscription,
                data=payload,
                vapid_private_key=self._keys.private_key,
                vapid_claims={"sub": self._subject},
                content_encoding="aes128gcm",
                ttl=TTL_SECONDS,
                timeout=self._timeout,
            )
        except WebPushException as err:
            status = err.response.status_code if err.response is not None else None
            if status in {404, 410}:
                return "gone"
            raise WebPushError(f"the push service answered HTTP {status}") from None
        return "sent"


def configured_web_push() -> WebPushSender:
    config = load(WebPushConfig)
    return WebPushSender(vapid_keys(), config.vapid_subject)
