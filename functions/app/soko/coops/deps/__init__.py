"""Builds what the coops logic needs for a handler (config and clients cache themselves)."""

from __future__ import annotations

from soko.coops.dal import CoopsDal
from soko.coops.logic import Accounts, Coops
from soko.coops.models import CoopsBusConfig, CoopsConfig, MembersConfig
from soko.shared.bus import EventPublisher
from soko.shared.config import load


def coops() -> Coops:
    """Reads and the member's own writes (no bus, no accounts)."""
    return Coops(store=CoopsDal(load(CoopsConfig).coops_table_name))


def with_accounts() -> Coops:
    """Creating a coop and adding members: accounts through identity's public reads."""
    config = load(MembersConfig)

    def accounts() -> Accounts:
        from soko.identity.public import Users  # noqa: PLC0415

        return Users(config.users_table_name)

    return Coops(store=CoopsDal(config.coops_table_name), accounts=accounts)


def publishing() -> Coops:
    """Commitments, pools, the consumers: they publish to the bus."""
    config = load(CoopsBusConfig)
    return Coops(store=CoopsDal(config.coops_table_name), publisher=EventPublisher(config.event_bus_name))
