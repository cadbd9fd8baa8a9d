"""Messaging's dependencies (cheap per request)."""

from __future__ import annotations

from soko.identity.public import Users, UserView
from soko.messaging.dal import MessagingDal
from soko.messaging.logic import Messaging
from soko.messaging.models import AlertsConfig, MessagingConfig
from soko.providers.sms import configured_sender
from soko.shared.config import load


class _Users:
    """Accounts, read only by the alerts consumer (the delivery-report function has no users table)."""

    def get(self, user_id: str) -> UserView | None:
        return Users(load(AlertsConfig).users_table_name).get(user_id)


def messaging() -> Messaging:
    config = load(MessagingConfig)
    return Messaging(dal=MessagingDal(config.messaging_table_name), users=_Users(), sms=configured_sender)
