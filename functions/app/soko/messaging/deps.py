"""Messaging's dependencies (cheap per request)."""

from __future__ import annotations

from soko.identity.dal import UsersDal
from soko.identity.models import StoredUser
from soko.messaging.dal import MessagingDal
from soko.messaging.logic import Messaging
from soko.messaging.models import AlertsConfig, MessagingConfig
from soko.providers.sms import configured_sender
from soko.shared.config import load


class _Users:
    """The users table, read only by the alerts consumer (the delivery-report function has none)."""

    def get_user(self, user_id: str) -> StoredUser | None:
        return UsersDal(load(AlertsConfig).users_table_name).get_user(user_id)


def messaging() -> Messaging:
    config = load(MessagingConfig)
    return Messaging(dal=MessagingDal(config.messaging_table_name), users=_Users(), sms=configured_sender)
