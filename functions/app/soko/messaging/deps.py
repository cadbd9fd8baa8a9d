"""Messaging's dependencies (cheap per request)."""

from __future__ import annotations

from soko.identity.dal import UsersDal
from soko.messaging.dal import MessagingDal
from soko.messaging.logic import Messaging
from soko.messaging.models import MessagingConfig
from soko.providers.africastalking import AfricasTalkingSms, Credentials
from soko.shared import secrets
from soko.shared.config import load


class _Sender:
    def __init__(self, config: MessagingConfig):
        credentials = Credentials.from_secret(secrets.get(config.sms_secret_arn))
        self._sms = AfricasTalkingSms(
            config.africastalking_base_url, credentials, sender_id=config.sms_sender_id
        )

    def send_one(self, to: str, message: str) -> str:
        return self._sms.send_one(to, message)


def messaging() -> Messaging:
    config = load(MessagingConfig)
    return Messaging(
        dal=MessagingDal(config.messaging_table_name),
        users=UsersDal(config.users_table_name),
        sms=lambda: _Sender(config),
    )
