"""Messaging's dependencies (cheap per request)."""

from __future__ import annotations

from collections.abc import Iterable

from soko.messaging.dal import MessagingDal
from soko.messaging.logic import Messaging
from soko.messaging.models import MessagingConfig
from soko.shared.bus import EventPublisher
from soko.shared.config import BusConfig, load
from soko.shared.events import EventDetail


def _publish(events: Iterable[EventDetail]) -> None:
    EventPublisher(load(BusConfig).event_bus_name).publish(events)


def messaging() -> Messaging:
    config = load(MessagingConfig)
    return Messaging(dal=MessagingDal(config.messaging_table_name), publish=_publish)
