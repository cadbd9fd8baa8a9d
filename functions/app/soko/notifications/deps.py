"""Notifications' dependencies (cheap per request)."""

from __future__ import annotations

from soko.notifications.dal import NotificationsDal
from soko.notifications.logic import Notifications
from soko.notifications.models import NotificationsConfig
from soko.realtime.dal import ConnectionsDal
from soko.realtime.models import RealtimeConfig
from soko.shared.config import load


def _connections() -> ConnectionsDal:
    config = load(RealtimeConfig)
    return ConnectionsDal(config.connections_table_name, config.management_url)


def notifications() -> Notifications:
    config = load(NotificationsConfig)
    return Notifications(dal=NotificationsDal(config.notifications_table_name), connections=_connections)
