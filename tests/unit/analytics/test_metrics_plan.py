"""The counters' plan (pure): periods in East Africa Time, GMV net of the fare, adds merged by item,
gaps only for known districts and crops; and GET /admin/metrics' logic with an in-memory store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from soko.analytics import counters, metrics
from soko.analytics.models import QueueFigure
from soko.market import events as me
from soko.matching.events import CoverageGap
from soko.payments.events import PaymentCompleted
from soko.shared.errors import Forbidden, Unprocessable
from soko.shared.events import EventDetail, ReceivedEvent
from soko.shared.identity import Caller

ORDER = {
    "order_id": "O1",
    "listing_id": "L1",
    "buyer_id": "B1",
    "farmer_id": "F1",
    "crop": "maize_grain",
    "district": "Gulu",
    "quantity_kg": "100.000",
    "price_per_kg_ugx": 1_200,
    "total_ugx": 120_000,
}


def received(detail: EventDetail, time: str) -> ReceivedEvent:
    return ReceivedEvent.model_validate(
        {
            "id": "eb-1",
            "source": detail.SOURCE,
            "detail-type": detail.DETAIL_TYPE,
            "time": time,
            "detail": detail.model_dump(mode="json"),
        }
    )


def test_a_late_evening_utc_event_counts_on_the_next_eat_day_week_and_month() -> None:
    placed = me.OrderPlaced(**ORDER)  # type: ignore[arg-type]
    plan = counters.plan(received(placed, "2026-11-29T21:30:00Z"), placed)  # Monday 00:30 in Kampala
    assert set(plan.adds) == {
        ("TOTALS#day", "2026-11-30"),
        ("TOTALS#week", "2026-W49"),
        ("TOTALS#month", "2026-11"),
    }
    assert all(v == {"placed": 1} for v in plan.adds.values())
    assert {(m.period, m.key, m.role) for m in plan.markers} >= {
        ("day", "2026-11-30", "buyer"),
        ("week", "2026-W49", "farmer"),
    }
    assert plan.order == counters.OrderFacts("O1", "maize_grain", "Gulu", Decimal("100.000"))
    assert plan.event_id == placed.event_id


def test_gmv_is_the_payment_less_the_fare_and_breaks_down_by_the_orders_crop() -> None:
    paid = PaymentCompleted(
        payment_id="P1",
        order_id="O1",
        buyer_id="B1",
        farmer_id="F1",
        amount_ugx=125_000,
        fare_ugx=5_000,
        currency="UGX",
        provider="mtn",
        confirmation_code="X",
    )
    facts = counters.OrderFacts("O1", "beans", "Lira", Decimal("50.5"))
    plan = counters.plan(received(paid, "2026-12-31T22:00:00Z"), paid, order=facts)  # 1 January in Kampala
    assert plan.adds[("TOTALS#month", "2027-01")] == {"payments_succeeded": 1, "gmv_ugx": 120_000}
    assert plan.adds[("BREAKDOWN#day#2027-01-01", "CROP#beans")] == {
        "orders": 1,
        "kg": Decimal("50.5"),
        "gmv_ugx": 120_000,
    }
    assert plan.adds[("BREAKDOWN#week#2026-W53", "DISTRICT#Lira")] == {"orders": 1, "gmv_ugx": 120_000}
    assert not any(
        pk.startswith("BREAKDOWN")
        for pk, _ in counters.plan(received(paid, "2026-12-01T10:00:00Z"), paid).adds
    )


def test_a_completed_order_feeds_the_farmer_and_market_projections() -> None:
    done = me.OrderCompleted(completed_at="2026-12-01T10:00:00Z", **ORDER)  # type: ignore[arg-type]
    adds = counters.plan(received(done, "2026-12-01T10:00:00Z"), done).adds
    assert adds[("FARMER#F1", "SALES#2026-12#maize_grain")] == {
        "orders": 1,
        "kg": Decimal(100),
        "revenue_ugx": 120_000,
    }
    assert adds[("FARMER#F1", "BUYER#B1")] == {"orders": 1}
    for pk in ("MARKET#maize_grain#Gulu", "MARKET#maize_grain#ALL"):
        assert adds[(pk, "WEEK#2026-W49")] == {"orders": 1, "kg": Decimal(100), "p#1200": Decimal(100)}
    assert not any("B1" in pk or "F1" in str(v) for (pk, _), v in adds.items() if pk.startswith("MARKET#"))


@pytest.mark.parametrize(
    ("crop", "district", "sk"),
    [
        ("maize_grain", "gulu", "GAP#Gulu#maize_grain"),
        ("maize_grain", None, "GAP#ALL#maize_grain"),
        ("no-such-crop", "Lira", "GAP#Lira#-"),
        ("no-such-crop", "Atlantis", None),
    ],
)
def test_gaps_are_counted_under_known_names_only(crop: str, district: str | None, sk: str | None) -> None:
    gap = CoverageGap(crop=crop, reason="no_prices", district=district, quantity_kg=10)
    adds = counters.plan(received(gap, "2026-12-01T10:00:00Z"), gap).adds
    assert [k[1] for k in adds if k[0] == "BREAKDOWN#day#2026-12-01"] == ([sk] if sk else [])


def test_events_it_does_not_count_are_ignored() -> None:
    dispatched = me.OrderDispatched(**ORDER)  # type: ignore[arg-type]
    assert counters.parse(received(dispatched, "2026-12-01T10:00:00Z")) is None


class Store:
    def __init__(self, totals: list[dict[str, Any]], breakdown: list[dict[str, Any]]) -> None:
        self._totals, self._breakdown, self.calls = totals, breakdown, 0

    def totals(self, period: str, first: str, last: str) -> list[dict[str, Any]]:
        self.calls += 1
        return [t for t in self._totals if first <= t["sk"] <= last]

    def breakdown(self, period: str, key: str) -> list[dict[str, Any]]:
        self.calls += 1
        return self._breakdown


ADMIN = Caller(user_id="A1", role="admin", email="a@example.com")
NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)


def deps(store: Store) -> metrics.MetricsDeps:
    return metrics.MetricsDeps(
        store=store,
        queues=lambda: [QueueFigure(name="Q", visible=1, in_flight=0, dead_letters=2)],
        now=lambda: NOW,
    )


def test_the_dashboard_computes_rates_and_ranks_the_breakdowns() -> None:
    store = Store(
        [
            {"sk": "2026-12-02", "placed": 3, "gmv_ugx": 10},
            {
                "sk": "2026-12-03",
                "placed": 9,
                "completed": 6,
                "cancelled": 1,
                "expired": 1,
                "disputed": 1,
                "payments_succeeded": 4,
                "payments_failed": 1,
                "gmv_ugx": 500,
                "active_farmers": 2,
            },
        ],
        [{"sk": f"CROP#c{n}", "orders": n, "kg": n * 1.5, "gmv_ugx": n * 100} for n in range(1, 8)]
        + [{"sk": "DISTRICT#Gulu", "orders": 2, "gmv_ugx": 300}, {"sk": "GAP#ALL#-", "searches": 4}],
    )
    answer = metrics.metrics(ADMIN, "day", None, deps(store))
    assert store.calls == 2
    assert (answer.key, answer.starts_on, answer.ends_on) == (
        "2026-12-03",
        date(2026, 12, 3),
        date(2026, 12, 3),
    )
    assert (
        answer.rates.fulfilment == 0.75
        and answer.rates.dispute == 0.25
        and answer.rates.payment_success == 0.8
    )
    assert [c.crop for c in answer.top_crops] == ["c7", "c6", "c5", "c4", "c3"]
    assert answer.coverage_gaps[0].district == "ALL" and answer.coverage_gaps[0].crop is None
    assert [p.orders_placed for p in answer.series][-2:] == [3, 9] and len(answer.series) == 14
    month = metrics.metrics(ADMIN, "month", date(2026, 2, 10), deps(Store([], [])))
    assert (month.key, month.starts_on, month.ends_on) == ("2026-02", date(2026, 2, 1), date(2026, 2, 28))
    week = metrics.metrics(ADMIN, "week", date(2026, 12, 3), deps(Store([], [])))
    assert (week.key, week.starts_on, week.ends_on) == ("2026-W49", date(2026, 11, 30), date(2026, 12, 6))


def test_the_dashboard_refuses_other_roles_and_days_out_of_range() -> None:
    with pytest.raises(Forbidden):
        metrics.metrics(
            Caller(user_id="F", role="farmer", email="f@example.com"), "day", None, deps(Store([], []))
        )
    for day in (date(2026, 12, 4), date(2023, 12, 31)):
        with pytest.raises(Unprocessable) as err:
            metrics.metrics(ADMIN, "day", day, deps(Store([], [])))
        assert err.value.code == "DATE_OUT_OF_RANGE"
