"""Realtime's dependencies (cheap per request)."""

from __future__ import annotations

from soko.realtime.dal import ConnectionsDal
from soko.realtime.models import ConnectionsConfig, RealtimeConfig
from soko.shared.config import load


def connections() -> ConnectionsDal:
    """Keeping the connections ($connect, $disconnect: they push nothing)."""
    return ConnectionsDal(load(ConnectionsConfig).connections_table_name, "")


def closer() -> ConnectionsDal:
    """Closing connections through the WebSocket API's ``@connections`` API."""
    config = load(RealtimeConfig)
    return ConnectionsDal(config.connections_table_name, config.management_url)


def pusher() -> ConnectionsDal:
    """Pushing to open connections through the WebSocket API's ``@connections`` API."""
    config = load(RealtimeConfig)
    return ConnectionsDal(config.connections_table_name, config.management_url)
