"""GET /admin/metrics: one period's dashboard from the counters, in two Queries (the period's totals
with the chart's series, then its breakdowns) and the queues' depths (soko.admin.public)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from soko.analytics.counters import ALL, period_end
from soko.analytics.models import (
    SERIES_LENGTH,
    CoverageGapFigure,
    CropFigure,
    DistrictFigure,
    Metrics,
    OrderCounts,
    PaymentCounts,
    Period,
    QueueFigure,
    Rates,
    SeriesPoint,
    period_key,
    period_start,
    previous_keys,
)
from soko.shared import clock
from soko.shared.clock import EAT
from soko.shared.errors import Unprocessable
from soko.shared.identity import Caller

TOP = 5  # crops, districts
TOP_GAPS = 10
FIRST_DAY = date(2024, 1, 1)  # nothing was counted before Soko went live


class MetricsStore(Protocol):
    def totals(self, period: str, first: str, last: str) -> list[dict[str, Any]]: ...
    def breakdown(self, period: str, key: str) -> list[dict[str, Any]]: ...


@dataclass
class MetricsDeps:
    store: MetricsStore
    queues: Callable[[], list[QueueFigure]]
    now: Callable[[], datetime] = clock.now


class DateOutOfRange(Unprocessable):
    code = "DATE_OUT_OF_RANGE"


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _int(item: dict[str, Any], name: str) -> int:
    return int(item.get(name, 0))


def metrics(caller: Caller, period: Period, on: date | None, deps: MetricsDeps) -> Metrics:
    caller.require("admin")
    now = deps.now()
    today = now.astimezone(EAT).date()
    day = on or today
    if not FIRST_DAY <= day <= today:
        raise DateOutOfRange(
            f"'on' must be a day from {FIRST_DAY.isoformat()} to today ({today.isoformat()}, Uganda time).",
            details={"field": "on"},
        )
    key = period_key(period, datetime(day.year, day.month, day.day, 12, tzinfo=EAT))
    keys = previous_keys(period, key, SERIES_LENGTH[period])
    rows = {item["sk"]: item for item in deps.store.totals(period, keys[0], keys[-1])}
    current = rows.get(key, {})
    breakdown = deps.store.breakdown(period, key)

    orders = OrderCounts(**{name: _int(current, name) for name in OrderCounts.model_fields})
    payments = PaymentCounts(
        succeeded=_int(current, "payments_succeeded"),
        failed=_int(current, "payments_failed"),
        expired=_int(current, "payments_expired"),
    )
    ended = orders.completed + orders.cancelled + orders.rejected + orders.expired
    crops, districts, gaps = [], [], []
    for item in breakdown:
        kind, _, rest = str(item["sk"]).partition("#")
        if kind == "CROP":
            crops.append(
                CropFigure(
                    crop=rest,
                    orders=_int(item, "orders"),
                    kg=float(item.get("kg", 0)),
                    gmv_ugx=_int(item, "gmv_ugx"),
                )
            )
        elif kind == "DISTRICT":
            districts.append(
                DistrictFigure(district=rest, orders=_int(item, "orders"), gmv_ugx=_int(item, "gmv_ugx"))
            )
        elif kind == "GAP":
            district, _, crop = rest.partition("#")
            gaps.append(
                CoverageGapFigure(
                    district=district or ALL,
                    crop=None if crop in ("", "-") else crop,
                    searches=_int(item, "searches"),
                )
            )
    return Metrics(
        period=period,
        key=key,
        starts_on=period_start(period, key),
        ends_on=period_end(period, key),
        orders=orders,
        payments=payments,
        gmv_ugx=_int(current, "gmv_ugx"),
        completed_value_ugx=_int(current, "completed_value_ugx"),
        new_users=_int(current, "new_users"),
        active_farmers=_int(current, "active_farmers"),
        active_buyers=_int(current, "active_buyers"),
        rates=Rates(
            fulfilment=_ratio(orders.completed, ended),
            dispute=_ratio(orders.disputed, payments.succeeded),
            payment_success=_ratio(
                payments.succeeded, payments.succeeded + payments.failed + payments.expired
            ),
        ),
        top_crops=sorted(crops, key=lambda c: (-c.gmv_ugx, -c.orders, c.crop))[:TOP],
        top_districts=sorted(districts, key=lambda d: (-d.gmv_ugx, -d.orders, d.district))[:TOP],
        coverage_gaps=sorted(gaps, key=lambda g: (-g.searches, g.district, g.crop or ""))[:TOP_GAPS],
        queues=deps.queues(),
        series=[
            SeriesPoint(
                key=k,
                orders_placed=_int(rows.get(k, {}), "placed"),
                orders_completed=_int(rows.get(k, {}), "completed"),
                gmv_ugx=_int(rows.get(k, {}), "gmv_ugx"),
            )
            for k in keys
        ],
        as_of=clock.iso(now),
    )
