"""What matching's rules work with: its own store (the match table), the other domains' data
through their public read interfaces, and the publisher of its events. Built by
:mod:`soko.matching.deps`; tests build it with their own tables."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from soko.identity.public import Users
from soko.market.public import MarketReads
from soko.matching.dal import MatchDal
from soko.matching.events import CoverageGap
from soko.matching.models import MatchConfig
from soko.ml.public import PriceReader

RETRIES = 5  # optimistic-lock retries of a feature record or a boost


class Sources:
    """The sources of truth matching reads (never writes, but for counting a coverage gap):
    accounts (identity), farmer stats, listings and orders (the marketplace), prices (ML). Each is
    built on first use, so a function needs the settings of the sources it reads and no others."""

    def __init__(
        self,
        users: Callable[[], Users],
        market: Callable[[], MarketReads],
        prices: Callable[[], PriceReader],
    ):
        self._users, self._market, self._prices = users, market, prices

    @cached_property
    def users(self) -> Users:
        return self._users()

    @cached_property
    def market(self) -> MarketReads:
        return self._market()

    @cached_property
    def prices(self) -> PriceReader:
        return self._prices()


class Matching:
    """Matching's rules' dependencies; the match table's data access is built on first use (the
    location and price functions never touch the match table)."""

    def __init__(
        self,
        config: MatchConfig,
        dal: Callable[[], MatchDal],
        sources: Sources,
        publish: Callable[[list[CoverageGap]], None],
    ):
        self.config, self._dal, self.sources, self.publish = config, dal, sources, publish

    @cached_property
    def dal(self) -> MatchDal:
        return self._dal()
