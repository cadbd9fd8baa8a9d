"""The marketplace's dependencies (cheap per request: config, clients and secrets cache themselves)."""

from __future__ import annotations

from soko.market.dal import MarketDal, ModerationDal
from soko.market.models import MarketConfig
from soko.market.moderation import Moderation
from soko.market.ports import Market
from soko.shared.config import load
from soko.shared.media import S3Media


def market() -> Market:
    config = load(MarketConfig)
    return Market(config=config, dal=MarketDal(config.market_table_name), media=S3Media())


def moderation() -> Moderation:
    """Hidden listings (admin takedowns, suspended farmers): soko.market.moderation."""
    deps = market()
    return Moderation(market=deps, store=ModerationDal(deps.config.market_table_name))
