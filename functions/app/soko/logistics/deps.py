"""The logistics domain's dependencies, per handler (cheap per request: config and clients cache
themselves)."""

from __future__ import annotations

from soko.logistics.dal.positions import PositionsDal
from soko.logistics.tracking import Tracking, TrackingConfig
from soko.shared.bus import EventPublisher
from soko.shared.config import load


def tracking() -> Tracking:
    config = load(TrackingConfig)
    return Tracking(
        store=PositionsDal(config.logistics_table_name),
        publisher=EventPublisher(config.event_bus_name),
        retention_days=config.position_retention_days,
    )
