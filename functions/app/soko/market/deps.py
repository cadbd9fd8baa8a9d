"""The marketplace's dependencies (cheap per request: config, clients and secrets cache themselves)."""

from __future__ import annotations

from soko.market.dal import MarketDal
from soko.market.models import MarketConfig
from soko.market.ports import Market
from soko.shared.config import load
from soko.shared.media import S3Media


def market() -> Market:
    config = load(MarketConfig)
    return Market(config=config, dal=MarketDal(config.market_table_name), media=S3Media())
