"""The marketplace's dependencies (cheap per request: config, clients and secrets cache themselves)."""

from __future__ import annotations

from dataclasses import replace

from soko.market.dal import MarketDal, ModerationDal
from soko.market.models import MarketConfig, MoneyTrailConfig
from soko.market.moderation import Moderation
from soko.market.ports import Market
from soko.payments.public import PaymentsReads
from soko.shared.config import load
from soko.shared.media import S3Media


def market() -> Market:
    config = load(MarketConfig)
    return Market(config=config, dal=MarketDal(config.market_table_name), media=S3Media())


def market_with_money() -> Market:
    """The market plus each order's money trail (GET /orders/{id})."""
    reads = PaymentsReads(load(MoneyTrailConfig).payments_table_name)
    return replace(market(), money_trail=reads.money_trail)


def moderation() -> Moderation:
    """Hidden listings (admin takedowns, suspended farmers): soko.market.moderation."""
    deps = market()
    return Moderation(market=deps, store=ModerationDal(deps.config.market_table_name))
