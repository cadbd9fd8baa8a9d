"""Counting events exactly once: what each consumed event adds to the period counters (day, ISO week
and month in East Africa Time, from the event's ``time``, as the lake's ``dt``) and to the farmer and
market projections.

:func:`plan` is pure: an event in, the ``ADD`` s out (merged by item: a transaction touches an item
once). :func:`count` runs it against the :class:`CounterStore`:

1. "active" markers first, each a conditional put that succeeds for the first event of a user in a
   period, or again for that same event (the marker remembers which event set it), so a retry after
   a failure further on adds the active user it would have added;
2. one transaction: the claim ``SEEN#<event id>`` (``attribute_not_exists``) and every ``ADD``. A
   duplicate, redelivered or concurrent, fails the claim and changes nothing.

GMV is the goods value of an order paid in the period: ``PaymentCompleted.amount_ugx - fare_ugx``.
A payment's crop and district come from the order's facts, kept from its ``OrderPlaced``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from soko.analytics.dal import breakdown_pk, farmer_pk, market_pk, totals_key
from soko.analytics.models import PERIODS, Period, period_key, period_start
from soko.identity.events import UserRegistered
from soko.market import events as market_events
from soko.matching.events import CoverageGap
from soko.payments.events import PaymentCompleted, PaymentExpired, PaymentFailed
from soko.shared import crops, places
from soko.shared.clock import EAT
from soko.shared.events import EventDetail, ReceivedEvent

type Number = int | Decimal
SEEN_TTL_DAYS = 35  # a replay of the bus's archive older than this counts again (rebuild the table)
MARKER_TTL_DAYS = 35  # after the period's end
ORDER_TTL_DAYS = 120  # an order's facts, for its payment events
ALL = "ALL"  # a search or gap that named no district (or no crop: "-")

ORDER_COUNTS = {
    "OrderPlaced": "placed",
    "OrderConfirmed": "confirmed",
    "OrderCompleted": "completed",
    "OrderCancelled": "cancelled",
    "OrderRejected": "rejected",
    "OrderExpired": "expired",
    "OrderDisputed": "disputed",
}
COUNTED: dict[tuple[str, str], type[EventDetail]] = {
    **{("soko.orders", name): getattr(market_events, name) for name in ORDER_COUNTS},
    ("soko.orders", "ReviewSubmitted"): market_events.ReviewSubmitted,
    ("soko.payments", "PaymentCompleted"): PaymentCompleted,
    ("soko.payments", "PaymentFailed"): PaymentFailed,
    ("soko.payments", "PaymentExpired"): PaymentExpired,
    ("soko.users", "UserRegistered"): UserRegistered,
    ("soko.ml", "CoverageGap"): CoverageGap,
    ("soko.listings", "SearchCameUpEmpty"): market_events.SearchCameUpEmpty,
}


@dataclass(frozen=True)
class OrderFacts:
    """What a payment event does not say about its order (kept from ``OrderPlaced``)."""

    order_id: str
    crop: str
    district: str
    kg: Decimal


@dataclass(frozen=True)
class Marker:
    """``role`` ``user_id`` was active in the period: counted once per period."""

    period: Period
    key: str
    role: str  # farmer | buyer
    user_id: str
    expires_at: int


@dataclass
class Plan:
    event_id: str
    adds: dict[tuple[str, str], dict[str, Number]] = field(default_factory=dict)
    markers: list[Marker] = field(default_factory=list)
    order: OrderFacts | None = None  # facts to keep for later payment events
    order_expires_at: int = 0

    def add(self, key: dict[str, str], **values: Number) -> None:
        item = self.adds.setdefault((key["pk"], key["sk"]), {})
        for name, value in values.items():
            item[name] = item.get(name, 0) + value


class CounterStore(Protocol):
    def order(self, order_id: str) -> OrderFacts | None: ...
    def mark_active(self, marker: Marker, event_id: str) -> bool:
        """Put the marker unless another event set it: True when this event set it (now or before)."""
        ...

    def commit(self, plan: Plan, seen_expires_at: int) -> bool:
        """Claim the event and apply its adds in one transaction: False when it was already counted."""
        ...


def period_end(period: Period, key: str) -> date:
    start = period_start(period, key)
    if period == "day":
        return start
    if period == "week":
        return start + timedelta(days=6)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _epoch(day: date, days_after: int) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=EAT).timestamp()) + days_after * 86_400


def _district(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return places.district(name)
    except Exception:
        return None


def _crop(crop_id: str | None) -> str | None:
    return crop_id if crop_id and crops.by_id(crop_id) is not None else None


@dataclass
class _Builder:
    plan: Plan
    at: datetime
    keys: dict[Period, str]

    def each_period(self, **values: Number) -> None:
        for p in PERIODS:
            self.plan.add(totals_key(p, self.keys[p]), **values)

    def breakdown(self, sk: str, **values: Number) -> None:
        for p in PERIODS:
            self.plan.add({"pk": breakdown_pk(p, self.keys[p]), "sk": sk}, **values)


def _order(b: _Builder, detail: market_events.OrderDetail) -> None:
    b.each_period(**{ORDER_COUNTS[detail.DETAIL_TYPE]: 1})
    if isinstance(detail, market_events.OrderPlaced):
        for p in PERIODS:
            expires = _epoch(period_end(p, b.keys[p]), MARKER_TTL_DAYS)
            b.plan.markers.append(Marker(p, b.keys[p], "buyer", detail.buyer_id, expires))
            b.plan.markers.append(Marker(p, b.keys[p], "farmer", detail.farmer_id, expires))
        b.plan.order = OrderFacts(detail.order_id, detail.crop, detail.district, detail.quantity_kg)
        b.plan.order_expires_at = _epoch(b.at.date(), ORDER_TTL_DAYS)
    if isinstance(detail, market_events.OrderCompleted):
        b.each_period(completed_value_ugx=detail.total_ugx)
        kg, farmer = detail.quantity_kg, farmer_pk(detail.farmer_id)
        b.plan.add(
            {"pk": farmer, "sk": f"SALES#{b.keys['month']}#{detail.crop}"},
            orders=1,
            kg=kg,
            revenue_ugx=detail.total_ugx,
        )
        b.plan.add({"pk": farmer, "sk": f"BUYER#{detail.buyer_id}"}, orders=1)
        by_price = {f"p#{detail.price_per_kg_ugx}": kg}
        for district in (detail.district, None):
            b.plan.add(
                {"pk": market_pk(detail.crop, district), "sk": f"WEEK#{b.keys['week']}"},
                orders=1,
                kg=kg,
                **by_price,
            )


def _gap(b: _Builder, detail: CoverageGap | market_events.SearchCameUpEmpty) -> None:
    district, crop = _district(detail.district), _crop(detail.crop)
    if district is not None or crop is not None:
        b.breakdown(f"GAP#{district or ALL}#{crop or '-'}", searches=1)


def plan(event: ReceivedEvent, detail: EventDetail, *, order: OrderFacts | None = None) -> Plan:
    """What ``detail`` (received as ``event``) adds; ``order``: the paid order's facts (payments)."""
    b = _Builder(Plan(event_id=event.dedup_id), event.time, {p: period_key(p, event.time) for p in PERIODS})
    match detail:
        case market_events.ReviewSubmitted():
            key = {"pk": farmer_pk(detail.farmer_id), "sk": f"RATING#{b.keys['month']}"}
            b.plan.add(key, count=1, total=detail.rating)
        case market_events.OrderDetail():
            _order(b, detail)
        case PaymentCompleted():
            gmv = detail.amount_ugx - detail.fare_ugx
            b.each_period(payments_succeeded=1, gmv_ugx=gmv)
            if order is not None:
                b.breakdown(f"CROP#{order.crop}", orders=1, kg=order.kg, gmv_ugx=gmv)
                b.breakdown(f"DISTRICT#{order.district}", orders=1, gmv_ugx=gmv)
        case PaymentFailed():
            b.each_period(payments_failed=1)
        case PaymentExpired():
            b.each_period(payments_expired=1)
        case UserRegistered():
            b.each_period(new_users=1)
        case CoverageGap() | market_events.SearchCameUpEmpty():
            _gap(b, detail)
    return b.plan


def parse(event: ReceivedEvent) -> EventDetail | None:
    """The event as its producer's contract, or None when this consumer does not count it (a detail
    that does not fit its contract raises: the record fails and ends in the dead letters)."""
    contract = COUNTED.get((event.source, event.detail_type))
    return None if contract is None else event.parse(contract)


def count(event: ReceivedEvent, store: CounterStore, now: Callable[[], datetime]) -> bool:
    """Count ``event`` once: True when it was counted now, False when it already was (or is not
    counted at all)."""
    detail = parse(event)
    if detail is None:
        return False
    order = store.order(detail.order_id) if isinstance(detail, PaymentCompleted) else None
    result = plan(event, detail, order=order)
    for marker in result.markers:
        if store.mark_active(marker, result.event_id):
            result.add(totals_key(marker.period, marker.key), **{f"active_{marker.role}s": 1})
    return store.commit(result, _epoch(now().astimezone(EAT).date(), SEEN_TTL_DAYS))
