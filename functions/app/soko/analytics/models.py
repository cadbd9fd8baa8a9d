"""The analytics domain's API models (the shared contract of the endpoints and the web app)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from soko.shared.clock import EAT

Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")
SERIES_LENGTH: dict[Period, int] = {"day": 14, "week": 8, "month": 6}  # how far back the chart goes


def period_key(period: Period, moment: datetime) -> str:
    """The period a moment falls in, in East Africa Time: ``2026-12-03``, ``2026-W49``, ``2026-12``."""
    local = moment.astimezone(EAT)
    if period == "day":
        return local.date().isoformat()
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local.year}-{local.month:02d}"


def period_start(period: Period, key: str) -> date:
    """The first day (EAT) of a period given by its key."""
    if period == "day":
        return date.fromisoformat(key)
    if period == "week":
        year, week = key.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def previous_keys(period: Period, key: str, count: int) -> list[str]:
    """``count`` period keys ending with ``key``, oldest first."""
    keys = [key]
    start = period_start(period, key)
    while len(keys) < count:
        start = start - timedelta(days=1)
        keys.append(period_key(period, datetime(start.year, start.month, start.day, 12, tzinfo=EAT)))
        start = period_start(period, keys[-1])
    return list(reversed(keys))


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- GET /admin/metrics
class OrderCounts(_Out):
    placed: int = 0
    confirmed: int = 0
    completed: int = 0
    cancelled: int = 0
    rejected: int = 0
    expired: int = 0
    disputed: int = 0


class PaymentCounts(_Out):
    succeeded: int = 0
    failed: int = 0
    expired: int = 0


class Rates(_Out):
    """Ratios in [0, 1], or null when their denominator is zero in the period."""

    fulfilment: float | None = Field(
        None, description="completed / (completed + cancelled + rejected + expired)"
    )
    dispute: float | None = Field(None, description="disputed / payments succeeded")
    payment_success: float | None = Field(None, description="succeeded / (succeeded + failed + expired)")


class CropFigure(_Out):
    crop: str
    orders: int
    kg: float
    gmv_ugx: int


class DistrictFigure(_Out):
    district: str
    orders: int
    gmv_ugx: int


class CoverageGapFigure(_Out):
    """A district (and crop, when the search named one) where buyers found nothing."""

    district: str
    crop: str | None = None
    searches: int


class QueueFigure(_Out):
    name: str
    visible: int
    in_flight: int
    dead_letters: int


class SeriesPoint(_Out):
    key: str
    orders_placed: int
    orders_completed: int
    gmv_ugx: int


class Metrics(_Out):
    """One period's dashboard. GMV is the goods value of orders PAID in the period (payment amount
    less the transport fare), the same definition as ``lake/sql/gmv_by_day.sql``."""

    period: Period
    key: str
    starts_on: date
    ends_on: date
    orders: OrderCounts
    payments: PaymentCounts
    gmv_ugx: int
    completed_value_ugx: int
    new_users: int
    active_farmers: int
    active_buyers: int
    rates: Rates
    top_crops: list[CropFigure]
    top_districts: list[DistrictFigure]
    coverage_gaps: list[CoverageGapFigure]
    queues: list[QueueFigure]
    series: list[SeriesPoint]
    as_of: str


# ---------------------------------------------------------------- GET /analytics/me
class MonthCropSales(_Out):
    month: str  # 2026-12
    crop: str
    orders: int
    kg: float
    revenue_ugx: int
    average_price_ugx: int  # per kg, what the farmer obtained
    market_price_ugx: int | None  # WFP's observed price in the farmer's market that month (per kg)
    forecast_price_ugx: int | None  # what our model forecast for that month (per kg)


class BuyerFigures(_Out):
    total: int
    repeat: int  # buyers with two or more completed orders


class RatingMonth(_Out):
    month: str
    count: int
    average: float


class FarmerAnalytics(_Out):
    farmer_id: str
    market: str | None  # the WFP market nearest the farmer's district
    totals: CropFigure | None = None  # crop "all"
    months: list[MonthCropSales]
    buyers: BuyerFigures
    ratings: list[RatingMonth]


# ---------------------------------------------------------------- GET /analytics/market
class MarketWeek(_Out):
    week: str  # 2026-W49
    orders: int
    kg: float
    median_price_ugx: int | None  # per kg, weighted by kg traded
    wfp_price_ugx: int | None  # the WFP observation nearest that week in the district's market


class MarketIntelligence(_Out):
    crop: str
    district: str | None  # None: all districts
    market: str | None
    weeks: list[MarketWeek]


# ---------------------------------------------------------------- reports
ReportKind = Literal["sales", "payouts", "market_prices"]
ReportFormat = Literal["csv", "pdf"]
ReportStatus = Literal["queued", "running", "ready", "failed"]


class Report(_Out):
    id: str
    owner: str  # a user id, or "admins" for the scheduled weekly report
    kind: ReportKind
    format: ReportFormat
    from_date: date
    to_date: date
    crop: str | None = None
    district: str | None = None
    status: ReportStatus
    created_at: str
    ready_at: str | None = None
    rows: int | None = None
    total_ugx: int | None = None
    download_url: str | None = None  # presigned, short-lived; only while ready
    error: str | None = None
