"""Builds what the groups logic needs for a handler (cheap per request: config and clients cache
themselves)."""

from __future__ import annotations

from soko.groups.dal import GroupsDal
from soko.groups.logic import GroupDeps
from soko.groups.models import GroupsConfig, GroupsWriteConfig, ListingsConfig
from soko.market.public import MarketReads
from soko.shared.bus import EventPublisher
from soko.shared.config import load
from soko.shared.timers import SchedulerTimers, TimerConfig


def store() -> GroupsDal:
    """The reads (GET /groups/...): the table only."""
    return GroupsDal(load(GroupsConfig).groups_table_name)


def groups(*, listings: bool = False, timers: bool = False) -> GroupDeps:
    """The writes: the table, the bus, and (POST /groups) the market's listings and the deadline
    timers."""
    config = load(GroupsWriteConfig)
    return GroupDeps(
        store=GroupsDal(config.groups_table_name),
        publisher=EventPublisher(config.event_bus_name),
        listings=MarketReads(load(ListingsConfig).market_table_name) if listings else None,
        timers=SchedulerTimers(load(TimerConfig)) if timers else None,
        pay_hours=config.group_pay_hours,
        min_deadline_minutes=config.group_min_deadline_minutes,
    )
