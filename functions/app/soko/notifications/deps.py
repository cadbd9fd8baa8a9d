"""Notifications' dependencies (cheap per request)."""

from __future__ import annotations

from soko.notifications.dal import NotificationsDal
from soko.notifications.logic import Notifications
from soko.notifications.models import NotificationsConfig
from soko.realtime.public import Connections, RealtimeConfig, connections
from soko.shared.config import load


def _connections() -> Connections:
    """Only the consumer pushes (the list and read functions have no connections table)."""
    return connections(load(RealtimeConfig))


def notifications() -> Notifications:
    config = load(NotificationsConfig)
    return Notifications(dal=NotificationsDal(config.notifications_table_name), connections=_connections)
