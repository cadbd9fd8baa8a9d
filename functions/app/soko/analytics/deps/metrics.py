"""The wiring of the counters consumer and the three metrics endpoints (cheap per call: config and
clients cache themselves)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from soko.analytics.counters import CounterStore
from soko.analytics.dal.counters import CountersDal
from soko.analytics.dal.projections import ProjectionsDal
from soko.analytics.farmer import FarmerDeps, PriceSource
from soko.analytics.market_intel import MarketDeps
from soko.analytics.metrics import MetricsDeps
from soko.analytics.models import QueueFigure
from soko.shared.config import BaseConfig, load


class AnalyticsTableConfig(BaseConfig):
    analytics_table_name: str = Field(min_length=1)


class MetricsConfig(AnalyticsTableConfig):
    """GET /admin/metrics: the queues' name prefix (the root stack's name and a dash)."""

    queue_name_prefix: str = Field(min_length=2, max_length=80)


class PricesConfig(AnalyticsTableConfig):
    """The market's prices through soko.ml.public (the ML table)."""

    ml_table_name: str = Field(min_length=1)


class FarmerConfig(PricesConfig):
    users_table_name: str = Field(min_length=1)


def counter_store() -> CounterStore:
    return CountersDal(load(AnalyticsTableConfig).analytics_table_name)


def _queues() -> list[QueueFigure]:
    from soko.admin.public import queue_depths  # noqa: PLC0415  (SQS: only this function reads it)

    return [
        QueueFigure(name=q.name, visible=q.visible, in_flight=q.in_flight, dead_letters=q.dead_letters)
        for q in queue_depths(load(MetricsConfig).queue_name_prefix)
    ]


def metrics() -> MetricsDeps:
    return MetricsDeps(store=CountersDal(load(MetricsConfig).analytics_table_name), queues=_queues)


def _market_id(district: str) -> str:
    from soko.ml.public import market_for_district  # noqa: PLC0415

    return market_for_district(district).id


def _price_crop(crop: str) -> str | None:
    from soko.ml.public import find_crop  # noqa: PLC0415

    return find_crop(crop)


def _prices(table: str) -> Callable[[], PriceSource]:
    def make() -> PriceSource:
        from soko.ml.public import PriceReader  # noqa: PLC0415

        return PriceReader(table)

    return make


def farmer() -> FarmerDeps:
    config = load(FarmerConfig)

    def district_of(user_id: str) -> str | None:
        from soko.identity.public import Users  # noqa: PLC0415

        user = Users(config.users_table_name).get(user_id)
        return user.district if user else None

    return FarmerDeps(
        store=ProjectionsDal(config.analytics_table_name),
        district_of=district_of,
        market_for=_market_id,
        price_crop=_price_crop,
        prices=_prices(config.ml_table_name),
    )


def market() -> MarketDeps:
    config = load(PricesConfig)
    return MarketDeps(
        store=ProjectionsDal(config.analytics_table_name),
        market_for=_market_id,
        price_crop=_price_crop,
        prices=_prices(config.ml_table_name),
    )
