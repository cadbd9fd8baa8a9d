"""Matching's dependencies (cheap per request; each table is named by its own configuration,
loaded when first used)."""

from soko.identity.public import Users
from soko.market.public import MarketReads
from soko.matching.context import Matching, Sources
from soko.matching.dal import BootstrapRuns, MatchDal
from soko.matching.events import CoverageGap
from soko.matching.models import (
    BootstrapConfig,
    MarketSourceConfig,
    MatchConfig,
    MatchTableConfig,
    PricesSourceConfig,
    UsersSourceConfig,
)
from soko.ml.public import FreshnessConfig, PriceReader
from soko.shared.bus import EventPublisher
from soko.shared.config import BusConfig, load


def _publish(events: list[CoverageGap]) -> None:
    EventPublisher(load(BusConfig).event_bus_name).publish(events)


def matching() -> Matching:
    return Matching(
        config=load(MatchConfig),
        dal=lambda: MatchDal(load(MatchTableConfig).match_table_name),
        sources=Sources(
            users=lambda: Users(load(UsersSourceConfig).users_table_name),
            market=lambda: MarketReads(load(MarketSourceConfig).market_table_name),
            prices=lambda: PriceReader(
                load(PricesSourceConfig).ml_table_name, load(FreshnessConfig).price_stale_after_days
            ),
        ),
        publish=_publish,
    )


def bootstrap_runs() -> BootstrapRuns:
    return BootstrapRuns(load(BootstrapConfig).bootstrap_state_machine_arn)
