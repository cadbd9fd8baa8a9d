"""The marketplace's dependencies (cheap per request: config, clients and secrets cache themselves)."""

from __future__ import annotations

from soko.market.dal import MarketDal
from soko.market.logic import Market
from soko.market.media import S3Media
from soko.market.models import MarketConfig
from soko.shared.config import load


def market() -> Market:
    config = load(MarketConfig)
    return Market(
        config=config, dal=MarketDal(config.market_table_name), media=S3Media(config.media_bucket_name)
    )
