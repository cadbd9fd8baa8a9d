"""Sending one SMS: the operation identity (password-reset codes) and messaging (order alerts)
need, behind one interface, and the configured Africa's Talking sender that implements it."""

from __future__ import annotations

from typing import Protocol

from pydantic import Field

from soko.providers.africastalking import AfricasTalkingSms, Credentials
from soko.shared import secrets
from soko.shared.config import BaseConfig, load


class SmsSender(Protocol):
    def send_one(self, to: str, message: str) -> str: ...  # the provider's message id


class SmsConfig(BaseConfig):
    """A function that sends SMS. ``SMS_SENDER_ID`` must be set; empty means the provider's default."""

    sms_secret_arn: str = Field(min_length=1)
    sms_sender_id: str
    africastalking_base_url: str = "https://api.sandbox.africastalking.com"


def configured_sender() -> SmsSender:
    """Africa's Talking with the function's credentials (read from Secrets Manager, cached)."""
    config = load(SmsConfig)
    credentials = Credentials.from_secret(secrets.get(config.sms_secret_arn))
    return AfricasTalkingSms(config.africastalking_base_url, credentials, sender_id=config.sms_sender_id)
