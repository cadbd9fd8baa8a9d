"""The reports' wiring: the analytics table, the reports bucket and queue, and (the worker) the
lake, the payments ledger and the ML prices."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Annotated

from pydantic import Field

from soko.analytics.dal.reports import ReportsBucket, ReportsDal, ReportsQueue
from soko.analytics.lake import Lake
from soko.analytics.models import Report
from soko.analytics.reports import Ledger, Prices, ReportsDeps, weekly_notices
from soko.shared.bus import EventPublisher
from soko.shared.config import BaseConfig, load


class ReportsConfig(BaseConfig):
    """The three reports endpoints and the schedule."""

    analytics_table_name: str = Field(min_length=1)
    reports_bucket_name: str = Field(min_length=1)
    reports_queue_url: str = Field(min_length=1)


class ReportWorkerConfig(BaseConfig):
    """The reports worker."""

    analytics_table_name: str = Field(min_length=1)
    reports_bucket_name: str = Field(min_length=1)
    payments_table_name: str = Field(min_length=1)
    ml_table_name: str = Field(min_length=1)
    commission_percent: Annotated[Decimal, Field(ge=0, le=50)] = Decimal(5)
    event_bus_name: str = Field(min_length=1)
    report_attempts: Annotated[int, Field(ge=1, le=10)] = 3  # the queue's maxReceiveCount


def reports() -> ReportsDeps:
    config = load(ReportsConfig)
    return ReportsDeps(
        store=ReportsDal(config.analytics_table_name),
        files=ReportsBucket(config.reports_bucket_name),
        queue=ReportsQueue(config.reports_queue_url),
    )


class _WfpPrices:
    def __init__(self, table_name: str):
        from soko.ml.public import PriceReader  # noqa: PLC0415

        self._reader = PriceReader(table_name)

    def wfp_price(self, crop: str, district: str | None, on: date) -> int | None:
        """The latest accepted observation (UGX per kg) in the district's market (Kampala's for all)."""
        from soko.ml.public import find_crop, find_market, market_for_district  # noqa: PLC0415

        market = market_for_district(district) if district else find_market("Kampala")
        wanted = find_crop(crop)
        if market is None or wanted is None:
            return None
        point = self._reader.latest(market.id, wanted)
        return round(point.price) if point else None


def _lake() -> Lake:
    # The lake helper's wiring (DuckDB locally, Athena in AWS), imported on first use.
    found: Lake = importlib.import_module("soko.analytics.deps.lake").lake()
    return found


@cache
def worker() -> ReportsDeps:
    config = load(ReportWorkerConfig)

    def ledger() -> Ledger:
        from soko.payments.public import PaymentsReads  # noqa: PLC0415

        return PaymentsReads(config.payments_table_name)

    def prices() -> Prices:
        return _WfpPrices(config.ml_table_name)

    def commission(gross: int) -> int:
        from soko.payments.public import commission_ugx  # noqa: PLC0415

        return int(commission_ugx(gross, config.commission_percent))

    def notify(report: Report) -> None:
        EventPublisher(config.event_bus_name).publish(weekly_notices(report))

    return ReportsDeps(
        store=ReportsDal(config.analytics_table_name),
        files=ReportsBucket(config.reports_bucket_name),
        notify=notify,
        lake=_lake,
        ledger=ledger,
        prices=prices,
        commission=commission,
    )


def attempts() -> int:
    return int(load(ReportWorkerConfig).report_attempts)
