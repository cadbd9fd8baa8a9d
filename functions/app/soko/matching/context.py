"""What matching's rules work with: its own store (the match table), the other domains' data
through their public read interfaces, and the publisher of its events. Built by
:mod:`soko.matching.deps`; tests build it with their own tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from soko.identity.public import Users
from soko.market.public import MarketReads
from soko.matching.dal import MatchDal
from soko.matching.events import CoverageGap
from soko.matching.models import MatchConfig
from soko.ml.public import PriceReader

RETRIES = 5  # optimistic-lock retries of a feature record or a boost


@dataclass
class Sources:
    """The sources of truth matching reads (never writes, but for counting a coverage gap):
    accounts (identity), farmer stats, listings and orders (the marketplace), prices (ML)."""

    users: Users = field(default_factory=lambda: Users(""))
    market: MarketReads = field(default_factory=lambda: MarketReads(""))
    prices: PriceReader = field(default_factory=lambda: PriceReader(""))

    @classmethod
    def of(cls, config: MatchConfig) -> Sources:
        return cls(
            users=Users(config.users_table_name),
            market=MarketReads(config.market_table_name),
            prices=PriceReader(config.ml_table_name),
        )


@dataclass
class Matching:
    config: MatchConfig
    dal: MatchDal
    sources: Sources
    publish: Callable[[list[CoverageGap]], None]
