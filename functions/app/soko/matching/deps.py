"""Matching's dependencies (cheap per request)."""

from soko.matching.context import Matching, Sources
from soko.matching.dal import BootstrapRuns, MatchDal
from soko.matching.events import CoverageGap
from soko.matching.models import MatchConfig
from soko.shared.bus import EventPublisher
from soko.shared.config import load


def _publish(events: list[CoverageGap]) -> None:
    EventPublisher(load(MatchConfig).event_bus_name).publish(events)


def matching() -> Matching:
    config = load(MatchConfig)
    return Matching(
        config=config, dal=MatchDal(config.match_table_name), sources=Sources.of(config), publish=_publish
    )


def bootstrap_runs() -> BootstrapRuns:
    return BootstrapRuns(load(MatchConfig).bootstrap_state_machine_arn)
