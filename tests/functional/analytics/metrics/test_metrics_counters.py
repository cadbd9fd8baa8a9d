"""The counters consumer driven with a realistic mix of order, payment, user, gap and search events
(chronological, with redeliveries past the idempotency layer and concurrent copies): GET
/admin/metrics then equals an independent count of the same events, for days, weeks and months in
East Africa Time, in two Queries of the table."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
from metrics_support import Operations, envelope, feed, order, payment

from soko.analytics import counters
from soko.analytics.dal.counters import CountersDal
from soko.identity.events import UserRegistered
from soko.market import events as me
from soko.matching.events import CoverageGap
from soko.payments.events import PaymentCompleted, PaymentExpired, PaymentFailed
from soko.shared import clock
from soko.shared.events import ReceivedEvent
from soko_local.provision import Deployment
from support.gateway import Api
from support.lambda_env import Invoke
from support.tables import Table, empty_table
from support.users import new_user

EAT_OFFSET = timedelta(hours=3)
CROPS = ["maize_grain", "yellow_beans", "matoke"]
DISTRICTS = ["Gulu", "Lira", "Mbale"]


@dataclass
class Sent:
    detail: Any
    at: datetime  # UTC


def eat_day(at: datetime) -> date:
    return (at.astimezone(UTC) + EAT_OFFSET).date()


def mix(seed: int, start: datetime, orders: int = 60) -> list[Sent]:  # noqa: C901  (one order life, step by step)
    """Orders through their lives (confirmed or not, paid, failed or expired, completed, cancelled or
    disputed, reviewed), registrations, coverage gaps and empty searches, oldest first."""
    rnd = random.Random(seed)
    out: list[Sent] = []
    for n in range(orders):
        oid = f"O{seed}-{n}"
        t0 = start + timedelta(minutes=rnd.randrange(0, 4 * 24 * 60))
        kg = Decimal(rnd.choice(["50.000", "120.500", "300.000", "1000.000"]))
        price = rnd.choice([900, 1_100, 1_200, 1_500])
        fields = {
            "buyer_id": f"B{rnd.randrange(8)}",
            "farmer_id": f"F{rnd.randrange(5)}",
            "crop": rnd.choice(CROPS),
            "district": rnd.choice(DISTRICTS),
            "quantity_kg": str(kg),
            "price_per_kg_ugx": price,
            "total_ugx": int(kg * price),
        }
        who = {"buyer_id": fields["buyer_id"], "farmer_id": fields["farmer_id"]}
        out.append(Sent(order(oid, me.OrderPlaced, **fields), t0))
        fate = rnd.random()
        if fate < 0.15:
            out.append(Sent(order(oid, me.OrderRejected, **fields), t0 + timedelta(hours=1)))
            continue
        if fate < 0.25:
            out.append(Sent(order(oid, me.OrderExpired, **fields), t0 + timedelta(hours=24)))
            continue
        out.append(Sent(order(oid, me.OrderConfirmed, **fields), t0 + timedelta(hours=1)))
        fare = rnd.choice([0, 0, 5_000])
        amount = int(fields["total_ugx"]) + fare
        pay = rnd.random()
        if pay < 0.1:
            out.append(Sent(payment(PaymentExpired, oid, amount, fare, **who), t0 + timedelta(hours=2)))
            out.append(Sent(order(oid, me.OrderExpired, **fields), t0 + timedelta(hours=3)))
            continue
        if pay < 0.25:
            out.append(Sent(payment(PaymentFailed, oid, amount, fare, **who), t0 + timedelta(hours=2)))
        out.append(
            Sent(payment(PaymentCompleted, oid, amount, fare, **who), t0 + timedelta(hours=2, minutes=30))
        )
        end = rnd.random()
        later = t0 + timedelta(hours=rnd.randrange(4, 40))
        if end < 0.1:
            out.append(Sent(order(oid, me.OrderDisputed, **fields), later))
        elif end < 0.2:
            out.append(Sent(order(oid, me.OrderCancelled, **fields), later))
        else:
            out.append(Sent(order(oid, me.OrderCompleted, **fields), later))
            if rnd.random() < 0.6:
                review = me.ReviewSubmitted(
                    order_id=oid,
                    rating=rnd.randrange(1, 6),
                    farmer_rating_sum=0,
                    farmer_rating_count=0,
                    farmer_fulfillment_rate=None,
                    **who,
                )
                out.append(Sent(review, later + timedelta(hours=1)))
    for n in range(10):
        user = UserRegistered(user_id=f"U{n}", role=rnd.choice(["farmer", "buyer"]), district="Gulu")
        out.append(Sent(user, start + timedelta(minutes=rnd.randrange(0, 4 * 24 * 60))))
    for n in range(12):
        at = start + timedelta(minutes=rnd.randrange(0, 4 * 24 * 60))
        crop, district = rnd.choice(CROPS), rnd.choice([*DISTRICTS, None])
        if n % 2:
            out.append(
                Sent(CoverageGap(crop=crop, reason="no_prices", district=district, quantity_kg=100), at)
            )
        else:
            out.append(Sent(me.SearchCameUpEmpty(crop=crop, district=district, with_query=True), at))
    # one order placed at 00:30 in Kampala (21:30 UTC the day before): an EAT day, not a UTC one
    midnight = datetime.combine(eat_day(start) + timedelta(days=1), datetime.min.time(), UTC) - timedelta(
        hours=2, minutes=30
    )
    out.append(Sent(order(f"O{seed}-edge", me.OrderPlaced, buyer_id="B-edge", farmer_id="F-edge"), midnight))
    return sorted(out, key=lambda s: s.at)


def period_of(period: str, day: date) -> str:
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def independent(sent: list[Sent], period: str, key: str) -> dict[str, Any]:
    """The period's figures counted straight from the events sent (once each)."""
    mine = [s for s in sent if period_of(period, eat_day(s.at)) == key]
    kinds = Counter(type(s.detail).__name__ for s in mine)
    placed = {s.detail.order_id: s.detail for s in sent if isinstance(s.detail, me.OrderPlaced)}
    paid = [s.detail for s in mine if isinstance(s.detail, PaymentCompleted)]
    crops: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0), 0])
    districts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in paid:
        o = placed[p.order_id]
        gmv = p.amount_ugx - p.fare_ugx
        crops[o.crop][0] += 1
        crops[o.crop][1] += o.quantity_kg
        crops[o.crop][2] += gmv
        districts[o.district][0] += 1
        districts[o.district][1] += gmv
    gaps: Counter[tuple[str, str]] = Counter()
    for s in mine:
        if isinstance(s.detail, CoverageGap | me.SearchCameUpEmpty):
            gaps[(s.detail.district or "ALL", s.detail.crop)] += 1
    placed_here = [s.detail for s in mine if isinstance(s.detail, me.OrderPlaced)]
    return {
        "orders": {
            name: kinds[f"Order{name.capitalize()}"]
            for name in ("placed", "confirmed", "completed", "cancelled", "rejected", "expired", "disputed")
        },
        "payments": {
            "succeeded": kinds["PaymentCompleted"],
            "failed": kinds["PaymentFailed"],
            "expired": kinds["PaymentExpired"],
        },
        "gmv_ugx": sum(p.amount_ugx - p.fare_ugx for p in paid),
        "completed_value_ugx": sum(
            s.detail.total_ugx for s in mine if isinstance(s.detail, me.OrderCompleted)
        ),
        "new_users": kinds["UserRegistered"],
        "active_farmers": len({o.farmer_id for o in placed_here}),
        "active_buyers": len({o.buyer_id for o in placed_here}),
        "crops": {c: (v[0], float(v[1]), v[2]) for c, v in crops.items()},
        "districts": {d: tuple(v) for d, v in districts.items()},
        "gaps": dict(gaps),
    }


def assert_matches(answer: dict[str, Any], expected: dict[str, Any]) -> None:
    for name in (
        "orders",
        "payments",
        "gmv_ugx",
        "completed_value_ugx",
        "new_users",
        "active_farmers",
        "active_buyers",
    ):
        assert answer[name] == expected[name], name
    assert {c["crop"]: (c["orders"], c["kg"], c["gmv_ugx"]) for c in answer["top_crops"]} == expected["crops"]
    assert {d["district"]: (d["orders"], d["gmv_ugx"]) for d in answer["top_districts"]} == expected[
        "districts"
    ]
    assert {(g["district"], g["crop"]): g["searches"] for g in answer["coverage_gaps"]} == expected["gaps"]


@pytest.fixture
def admin() -> Any:
    return new_user("admin")


def test_metrics_equal_an_independent_count_of_a_realistic_mix(
    api: Api, invoke: Invoke, deployment: Deployment, operations: Operations, admin: Any
) -> None:
    today = clock.now().astimezone(clock.EAT).date()
    start = datetime.combine(today - timedelta(days=6), datetime.min.time(), UTC)
    sent = mix(20, start)
    envelopes = [envelope(s.detail, s.at) for s in sent]
    assert feed(invoke, envelopes) == []
    # every third event delivered again (new SQS message, new EventBridge id) after the idempotency
    # layer has forgotten it: the SEEN claim alone keeps it from counting twice
    empty_table(deployment.physical["IdempotencyTable"], ("id",))
    again = [envelope(s.detail, s.at) for s in sent[::3]]
    assert feed(invoke, again) == []

    days = sorted({eat_day(s.at) for s in sent})
    checked = set()
    for day in days:
        for period in ("day", "week", "month"):
            key = period_of(period, day)
            if (period, key) in checked:
                continue
            checked.add((period, key))
            operations.clear()
            answer = (
                api.get("/admin/metrics", user=admin, query={"period": period, "on": day.isoformat()})
                .expect(200)
                .json
            )
            assert answer["key"] == key
            assert_matches(answer, independent(sent, period, key))
            assert [o for o in operations if o in ("Query", "Scan", "GetItem", "BatchGetItem")] == [
                "Query",
                "Query",
            ]
            assert "ListQueues" in operations
    # the series is the same counts, oldest first, ending with the period asked for
    answer = (
        api.get("/admin/metrics", user=admin, query={"period": "day", "on": days[-1].isoformat()})
        .expect(200)
        .json
    )
    assert len(answer["series"]) == 14 and answer["series"][-1]["key"] == days[-1].isoformat()
    for point in answer["series"]:
        expected = independent(sent, "day", point["key"])
        assert point["orders_placed"] == expected["orders"]["placed"]
        assert point["orders_completed"] == expected["orders"]["completed"]
        assert point["gmv_ugx"] == expected["gmv_ugx"]
    assert any(q["name"] == "AnalyticsCountersQueue" for q in answer["queues"])
    # the edge order (00:30 in Kampala) is on the EAT day, not the UTC one
    edge = next(s for s in sent if getattr(s.detail, "order_id", "").endswith("-edge"))
    assert edge.at.date() != eat_day(edge.at)


def test_concurrent_copies_of_an_event_count_once(deployment: Deployment, analytics_table: Table) -> None:
    store = CountersDal(deployment.physical["AnalyticsTable"])
    at = datetime.now(UTC) - timedelta(hours=1)
    placed = order("OC1", me.OrderPlaced, buyer_id="BC", farmer_id="FC")
    copies = [ReceivedEvent.model_validate(envelope(placed, at)) for _ in range(8)]
    results: list[bool] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(copies))

    def run(event: ReceivedEvent) -> None:
        barrier.wait()
        try:
            results.append(counters.count(event, store, clock.now))
        except Exception as err:  # a TransactionConflict: the record fails and SQS redelivers it
            errors.append(err)

    threads = [threading.Thread(target=run, args=(c,)) for c in copies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for _ in errors:  # redelivered
        results.append(counters.count(copies[0], store, clock.now))
    assert results.count(True) == 1
    key = (at + EAT_OFFSET).date().isoformat()
    totals = analytics_table.item("TOTALS#day", key)
    assert totals is not None
    assert (totals["placed"], totals["active_farmers"], totals["active_buyers"]) == (1, 1, 1)


def test_a_retry_after_a_failed_transaction_still_counts_the_active_user(
    deployment: Deployment, analytics_table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The marker is put, the transaction then fails: the retry finds its own marker and adds the
    active user it would have added; another event of the same user adds none."""
    store = CountersDal(deployment.physical["AnalyticsTable"])
    at = datetime.now(UTC) - timedelta(hours=1)
    first = ReceivedEvent.model_validate(
        envelope(order("OR1", me.OrderPlaced, farmer_id="FR", buyer_id="BR"), at)
    )
    second = ReceivedEvent.model_validate(
        envelope(order("OR2", me.OrderPlaced, farmer_id="FR", buyer_id="BR"), at)
    )
    real = CountersDal.commit

    def broken(self: CountersDal, plan: Any, expires: int) -> bool:
        raise RuntimeError("throttled")

    monkeypatch.setattr(CountersDal, "commit", broken)
    with pytest.raises(RuntimeError):
        counters.count(first, store, clock.now)
    monkeypatch.setattr(CountersDal, "commit", real)
    assert counters.count(first, store, clock.now) is True
    assert counters.count(first, store, clock.now) is False
    assert counters.count(second, store, clock.now) is True
    totals = analytics_table.item("TOTALS#day", (at + EAT_OFFSET).date().isoformat())
    assert totals is not None
    assert (totals["placed"], totals["active_farmers"], totals["active_buyers"]) == (2, 1, 1)


def test_a_malformed_event_fails_its_record_only(invoke: Invoke) -> None:
    good = envelope(order("OM1", me.OrderPlaced), datetime.now(UTC))
    bad = envelope(order("OM2", me.OrderPlaced), datetime.now(UTC))
    del bad["detail"]["total_ugx"]
    not_counted = envelope(order("OM3", me.OrderDispatched), datetime.now(UTC))
    from support.events import sqs_event  # noqa: PLC0415

    batch = sqs_event(good, bad, not_counted)
    answer = invoke("AnalyticsCountersFunction", batch)
    assert [f["itemIdentifier"] for f in answer["batchItemFailures"]] == [batch["Records"][1]["messageId"]]


def test_metrics_inputs_and_roles(api: Api) -> None:
    admin, farmer = new_user("admin"), new_user("farmer")
    api.get("/admin/metrics", user=farmer).expect(403)
    api.get("/admin/metrics", user=admin, query={"period": "year"}).expect(422)
    api.get("/admin/metrics", user=admin, query={"on": "2026-13-01"}).expect(422)
    tomorrow = (clock.now().astimezone(clock.EAT).date() + timedelta(days=1)).isoformat()
    api.get("/admin/metrics", user=admin, query={"on": tomorrow}).expect(422, "DATE_OUT_OF_RANGE")
    empty = api.get("/admin/metrics", user=admin, query={"period": "month"}).expect(200).json
    assert empty["gmv_ugx"] == 0 and empty["rates"] == {
        "fulfilment": None,
        "dispute": None,
        "payment_success": None,
    }
    assert len(empty["series"]) == 6


def test_the_rule_routes_every_counted_event_to_the_queue_and_nothing_else(deployment: Deployment) -> None:
    """Through moto's bus: each of the 14 counted detail-types reaches the counters queue; an
    order event it does not count (OrderDispatched) does not."""
    from soko.shared.bus import EventPublisher  # noqa: PLC0415
    from support.lambda_env import REGION  # noqa: PLC0415

    sqs = boto3.client("sqs", region_name=REGION)
    url = deployment.physical["AnalyticsCountersQueue"]
    sqs.purge_queue(QueueUrl=url)
    samples = [
        order("OB1", kind)
        for kind in (
            me.OrderPlaced,
            me.OrderConfirmed,
            me.OrderCompleted,
            me.OrderCancelled,
            me.OrderRejected,
            me.OrderExpired,
            me.OrderDisputed,
            me.OrderDispatched,
        )
    ]
    samples += [
        me.ReviewSubmitted(
            order_id="OB1",
            buyer_id="B",
            farmer_id="F",
            rating=5,
            farmer_rating_sum=5,
            farmer_rating_count=1,
            farmer_fulfillment_rate=None,
        ),
        payment(PaymentCompleted, "OB1", 1_000),
        payment(PaymentFailed, "OB1", 1_000),
        payment(PaymentExpired, "OB1", 1_000),
        UserRegistered(user_id="U", role="buyer"),
        CoverageGap(crop="maize_grain", reason="no_prices", quantity_kg=1),
        me.SearchCameUpEmpty(district="Gulu"),
    ]
    bus = str(deployment.functions["AnalyticsCountersFunction"].environment["EVENT_BUS_NAME"])
    EventPublisher(bus).publish(samples)
    received: list[str] = []
    for _ in range(10):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            break
        received += [json.loads(m["Body"])["detail-type"] for m in messages]
    expected = sorted(s.DETAIL_TYPE for s in samples if s.DETAIL_TYPE != "OrderDispatched")
    assert sorted(received) == expected
