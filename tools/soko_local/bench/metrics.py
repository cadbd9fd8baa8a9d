"""``make bench`` section 14: ``GET /admin/metrics`` latency with realistic counters.

The handler (``soko.analytics.api.metrics_get.lambda_handler``: the period's totals and series in
one Query, its breakdowns in another, and the queues' depths through ``soko.admin.public``) is
invoked in-process against moto: an analytics table as the template declares it, holding what the
counters consumer's own logic (``soko.analytics.counters.plan``) adds for ORDERS orders' lives over
DAYS days (30 crops x 40 districts of breakdowns, coverage gaps, farmer and market projections), and
QUEUES queues with their dead-letter queues. The figure is the handler's p50/p95 over CALLS calls
across day, week and month. moto answers a Query by walking every item of the table (``all_items``),
so the figure grows with the whole table, not with the two partitions read: an upper bound of what
the endpoint costs here; on DynamoDB each Query reads only its partition (a few dozen items).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from soko_local.bench.core import Figure, Section, in_process_moto_credentials, p95, pk_sk_table, progress

ORDERS = 3_000  # each: placed, confirmed, paid, completed (and a gap for one in four): ~12,750 events
DAYS = 60
QUEUES = 12
CALLS = 100
PREFIX = "bench-metrics-"


def _event(source: str, detail_type: str, detail: Any, at: datetime) -> Any:
    from soko.shared.events import ReceivedEvent  # noqa: PLC0415

    return ReceivedEvent.model_validate(
        {
            "id": f"bench-{time.perf_counter_ns()}",
            "source": source,
            "detail-type": detail_type,
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "detail": detail.model_dump(mode="json"),
        }
    )


def _fill(now: datetime) -> int:
    """The counters ORDERS orders' lives leave: each event planned by the consumer's own logic
    (``counters.plan``), the adds summed and written as items (moto's transactions copy the whole
    table each, so counting them one by one here would measure moto, not the endpoint)."""
    from soko.analytics import counters  # noqa: PLC0415
    from soko.analytics.dal import totals_key  # noqa: PLC0415
    from soko.market import events as me  # noqa: PLC0415
    from soko.matching.events import CoverageGap  # noqa: PLC0415
    from soko.payments.events import PaymentCompleted  # noqa: PLC0415
    from soko.shared import aws, crops, places  # noqa: PLC0415

    rnd = random.Random(13)  # noqa: S311  (bench data, not secrets)
    crop_ids = [c.id for c in crops.CATALOGUE][:30]
    districts = sorted(places.DISTRICTS)[:40]
    items: dict[tuple[str, str], dict[str, Any]] = {}
    active: set[tuple[str, str, str]] = set()
    sent = 0
    for n in range(ORDERS):
        at = now - timedelta(minutes=rnd.randrange(0, DAYS * 24 * 60))
        fields: dict[str, Any] = {
            "order_id": f"O{n}",
            "listing_id": f"L{n}",
            "buyer_id": f"B{rnd.randrange(300)}",
            "farmer_id": f"F{rnd.randrange(150)}",
            "crop": rnd.choice(crop_ids),
            "district": rnd.choice(districts),
            "quantity_kg": "120.000",
            "price_per_kg_ugx": 1_000,
            "total_ugx": 120_000,
        }
        paid = PaymentCompleted(
            payment_id=f"P{n}",
            order_id=f"O{n}",
            buyer_id=fields["buyer_id"],
            farmer_id=fields["farmer_id"],
            amount_ugx=120_000,
            currency="UGX",
            provider="pesapal",
            confirmation_code="X",
        )
        placed = me.OrderPlaced(**fields)
        details: list[Any] = [
            placed,
            me.OrderConfirmed(**fields),
            paid,
            me.OrderCompleted(completed_at="x", **fields),
        ]
        if n % 4 == 0:
            details.append(
                CoverageGap(
                    crop=fields["crop"], reason="no_prices", district=fields["district"], quantity_kg=50
                )
            )
        facts = counters.OrderFacts(f"O{n}", fields["crop"], fields["district"], placed.quantity_kg)
        for detail in details:
            plan = counters.plan(_event(detail.SOURCE, detail.DETAIL_TYPE, detail, at), detail, order=facts)
            for marker in plan.markers:
                if (marker.period, marker.key, marker.role + marker.user_id) not in active:
                    active.add((marker.period, marker.key, marker.role + marker.user_id))
                    plan.add(totals_key(marker.period, marker.key), **{f"active_{marker.role}s": 1})
            for key, values in plan.adds.items():
                item = items.setdefault(key, {"pk": key[0], "sk": key[1]})
                for name, value in values.items():
                    item[name] = item.get(name, 0) + value
            sent += 1
    with aws.resource("dynamodb").Table("bench-analytics").batch_writer() as batch:
        for item in items.values():
            batch.put_item(Item=item)
    return sent


def _request(period: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "GET /admin/metrics",
        "rawPath": "/admin/metrics",
        "rawQueryString": f"period={period}",
        "queryStringParameters": {"period": period},
        "headers": {"host": "api.soko.local"},
        "requestContext": {
            "http": {
                "method": "GET",
                "path": "/admin/metrics",
                "sourceIp": "127.0.0.1",
                "userAgent": "bench",
            },
            "routeKey": "GET /admin/metrics",
            "stage": "$default",
            "requestId": f"bench-{time.perf_counter_ns()}",
            "authorizer": {"lambda": {"userId": "bench-admin", "role": "admin", "email": ""}},
        },
        "isBase64Encoded": False,
    }


class _Context:
    function_name = "AnalyticsMetricsFunction"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:AnalyticsMetricsFunction"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def _through_moto() -> tuple[list[float], int, int, float]:
    """Seconds per call, calls answered 200, events counted, seconds to count them."""
    from moto import mock_aws  # noqa: PLC0415

    from soko.shared import aws  # noqa: PLC0415

    os.environ.update(
        ANALYTICS_TABLE_NAME="bench-analytics", QUEUE_NAME_PREFIX=PREFIX, POWERTOOLS_TRACE_DISABLED="1"
    )
    try:
        with mock_aws():
            aws.reset()
            pk_sk_table(aws.client("dynamodb"), "bench-analytics", ("ALL", "ALL"))
            sqs = aws.client("sqs")
            for n in range(QUEUES):
                dlq = sqs.create_queue(QueueName=f"{PREFIX}Q{n}DLQ-x")["QueueUrl"]
                arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
                    "QueueArn"
                ]
                policy = f'{{"deadLetterTargetArn": "{arn}", "maxReceiveCount": "5"}}'
                sqs.create_queue(QueueName=f"{PREFIX}Q{n}Queue-x", Attributes={"RedrivePolicy": policy})
            began = time.perf_counter()
            counted = _fill(datetime.now(UTC) - timedelta(minutes=5))
            filling = time.perf_counter() - began
            from soko.analytics.api.metrics_get import lambda_handler  # noqa: PLC0415

            timings: list[float] = []
            ok = 0
            for n in range(CALLS):
                event = _request(("day", "week", "month")[n % 3])
                began = time.perf_counter()
                result = lambda_handler(event, _Context())
                timings.append(time.perf_counter() - began)
                ok += result["statusCode"] == 200
    finally:
        aws.reset()
    return timings, ok, counted, filling


def measure() -> Section:
    in_process_moto_credentials()
    section = Section(f"14. Metrics: GET /admin/metrics with ~{ORDERS * 4:,} events counted over {DAYS} days")
    progress(f"metrics: counting {ORDERS} orders' events, then {CALLS} calls of GET /admin/metrics (moto)")
    timings, ok, counted, filling = _through_moto()
    warm = timings[1:] or timings  # the first call builds its clients
    section.figures += [
        Figure("GET /admin/metrics, p50", statistics.median(warm) * 1000, "ms"),
        Figure("GET /admin/metrics, p95", p95(warm) * 1000, "ms"),
        Figure("the first call (cold clients)", timings[0] * 1000, "ms"),
    ]
    section.notes += [
        f"{ok}/{CALLS} calls answered 200; each: two Queries of the analytics table (the totals with the "
        f"series, the breakdowns of up to 30 crops, 40 districts and their gaps) and ListQueues plus "
        f"GetQueueAttributes of {QUEUES * 2} queues; on AWS the queue reads dominate (one call per queue)",
        "moto walks the whole table for each Query (most of the time here); DynamoDB reads the partition",
        f"{counted:,} events planned by the consumer's logic and their counters written in {filling:.1f} s "
        "(the functional tests count events one by one through the consumer)",
    ]
    return section
