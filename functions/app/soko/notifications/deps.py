"""Notifications' dependencies (cheap per request)."""

from __future__ import annotations

from soko.identity.public import Users, UserView
from soko.notifications.channels import Senders
from soko.notifications.dal import NotificationsDal
from soko.notifications.logic import Notifications
from soko.notifications.models import ChannelsConfig, NotificationsConfig, WebPushEndpointConfig
from soko.notifications.push_store import MobilePushConfig, SnsEndpoints, SnsMobilePush
from soko.providers.email import configured_sender as configured_email
from soko.providers.sms import configured_sender
from soko.providers.webpush import WebPushSender, configured_web_push, vapid_keys
from soko.realtime.public import Connections, RealtimeConfig, connections
from soko.shared.config import load
from soko.shared.timers import SchedulerTimers, TimerConfig, Timers


def _connections() -> Connections:
    """Only the consumer pushes (the list and read functions have no connections table)."""
    return connections(load(RealtimeConfig))


def notifications() -> Notifications:
    config = load(NotificationsConfig)
    return Notifications(dal=NotificationsDal(config.notifications_table_name), connections=_connections)


class _Users:
    """Accounts (identity's public reads), only in the consumers that deliver on channels."""

    def get(self, user_id: str) -> UserView | None:
        return Users(load(ChannelsConfig).users_table_name).get(user_id)


def _timers() -> Timers:
    return SchedulerTimers(load(TimerConfig))


def _web_push() -> WebPushSender:
    return configured_web_push()


def delivering() -> Notifications:
    """The consumers': stored in-app, pushed live, and delivered on the other channels (SMS through
    Africa's Talking, web push, SNS mobile push, e-mail through SES)."""
    config = load(ChannelsConfig)
    return Notifications(
        dal=NotificationsDal(config.notifications_table_name),
        connections=_connections,
        senders=Senders(
            users=_Users(),
            sms=configured_sender,
            timers=_timers,
            web_push=_web_push,
            mobile_push=SnsMobilePush,
            email=configured_email,
        ),
    )


def dal() -> NotificationsDal:
    return NotificationsDal(load(NotificationsConfig).notifications_table_name)


def http_push_origin() -> str:
    return str(load(WebPushEndpointConfig).web_push_http_origin)


def public_vapid_key() -> str:
    return vapid_keys().public_key


def sns_endpoints() -> SnsEndpoints:
    return SnsEndpoints(load(MobilePushConfig))
