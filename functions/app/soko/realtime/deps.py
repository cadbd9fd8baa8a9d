"""Realtime's dependencies (cheap per request)."""

from __future__ import annotations

from soko.realtime.dal import ConnectionsDal
from soko.realtime.models import RealtimeConfig
from soko.shared.config import load


def connections() -> ConnectionsDal:
    config = load(RealtimeConfig)
    return ConnectionsDal(config.connections_table_name, config.management_url)
