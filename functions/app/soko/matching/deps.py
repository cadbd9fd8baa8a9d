"""Matching's dependencies (cheap per request)."""

from soko.matching.dal import MatchDal, SourcesDal
from soko.matching.events import CoverageGap
from soko.matching.logic import Matching
from soko.matching.models import MatchConfig
from soko.shared.bus import EventPublisher
from soko.shared.config import load


def _publish(events: list[CoverageGap]) -> None:
    EventPublisher(load(MatchConfig).event_bus_name).publish(events)


def matching() -> Matching:
    config = load(MatchConfig)
    return Matching(
        config=config,
        dal=MatchDal(config.match_table_name),
        sources=SourcesDal(config.users_table_name, config.market_table_name, config.ml_table_name),
        publish=_publish,
    )
