"""Builds what the alerts logic needs for a handler (config and clients cache themselves)."""

from __future__ import annotations

from soko.alerts.dal import AlertsDal
from soko.alerts.digest_store import DigestQueue
from soko.alerts.logic import Alerts, Firing
from soko.alerts.models import AlertsConfig, FanOutConfig, FiringConfig, InboundSmsConfig
from soko.alerts.sms import Inbound
from soko.identity.public import Users
from soko.ml.public import PriceReader
from soko.providers.sms import configured_sender
from soko.shared.bus import EventPublisher
from soko.shared.config import load


def alerts() -> Alerts:
    return Alerts(store=AlertsDal(load(AlertsConfig).alerts_table_name))


def firing() -> Firing:
    config = load(FiringConfig)
    return Firing(
        store=AlertsDal(config.alerts_table_name),
        prices=PriceReader(config.ml_table_name),
        publisher=EventPublisher(config.event_bus_name),
        stale_after_days=config.price_stale_after_days,
    )


def fan_out() -> tuple[AlertsDal, DigestQueue]:
    config = load(FanOutConfig)
    return AlertsDal(config.alerts_table_name), DigestQueue(config.digest_queue_url)


def inbound() -> Inbound:
    config = load(InboundSmsConfig)
    return Inbound(
        alerts=Alerts(store=AlertsDal(config.alerts_table_name)),
        accounts=Users(config.users_table_name),
        sender=configured_sender,
    )
