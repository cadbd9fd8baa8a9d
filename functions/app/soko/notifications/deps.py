"""Notifications' dependencies (cheap per request)."""

from __future__ import annotations

from soko.notifications.dal import NotificationsDal
from soko.notifications.logic import Notifications
from soko.notifications.models import NotificationsConfig
from soko.realtime.public import connections
from soko.shared.config import load


def notifications() -> Notifications:
    config = load(NotificationsConfig)
    return Notifications(
        dal=NotificationsDal(config.notifications_table_name),
        connections=connections(config),
    )
