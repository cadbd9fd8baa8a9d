"""``make bench`` section 13: ``GET /admin/metrics`` latency with realistic counters.

The handler (``soko.analytics.api.metrics_get.lambda_handler``: the period's totals and series in
one Query, its breakdowns in another, and the queues' depths through ``soko.admin.public``) is
invoked in-process against moto: an analytics table as the template declares it, filled by the
counters consumer's own logic (``soko.analytics.counters.count``) with EVENTS orders' lives over
DAYS days (30 crops x 40 districts of breakdowns, coverage gaps), and QUEUES queues with their
dead-letter queues. The figure is the handler's p50/p95 over CALLS calls across day, week and month.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from soko_local.bench.core import Figure, Section, p95, pk_sk_table, progress

ORDERS = 150  # each: placed, confirmed, paid, completed (and a gap for one in four): ~640 events
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
    from soko.analytics import counters  # noqa: PLC0415
    from soko.analytics.dal.counters import CountersDal  # noqa: PLC0415
    from soko.market import events as me  # noqa: PLC0415
    from soko.matching.events import CoverageGap  # noqa: PLC0415
    from soko.payments.events import PaymentCompleted  # noqa: PLC0415
    from soko.shared import crops, places  # noqa: PLC0415

    rnd = random.Random(13)  # noqa: S311  (bench data, not secrets)
    crop_ids = [c.id for c in crops.CATALOGUE][:30]
    districts = sorted(places.DISTRICTS)[:40]
    store = CountersDal("bench-analytics")
    sent = 0
    for n in range(ORDERS):
        at = now - timedelta(minutes=rnd.randrange(0, DAYS * 24 * 60))
        fields = {
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
        events = [
            _event("soko.orders", "OrderPlaced", me.OrderPlaced(**fields), at),
            _event("soko.orders", "OrderConfirmed", me.OrderConfirmed(**fields), at),
            _event("soko.payments", "PaymentCompleted", paid, at),
            _event("soko.orders", "OrderCompleted", me.OrderCompleted(completed_at="x", **fields), at),
        ]
        if n % 4 == 0:
            gap = CoverageGap(
                crop=fields["crop"], reason="no_prices", district=fields["district"], quantity_kg=50
            )
            events.append(_event("soko.ml", "CoverageGap", gap, at))
        for event in events:
            counters.count(event, store, lambda: now)
            sent += 1
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
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106  (moto's fake keys)
        AWS_DEFAULT_REGION="us-east-1",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    section = Section(f"13. Metrics: GET /admin/metrics with ~{ORDERS * 4:,} events counted over {DAYS} days")
    progress(f"metrics: counting {ORDERS} orders' events, then {CALLS} calls of GET /admin/metrics (moto)")
    timings, ok, counted, filling = _through_moto()
    warm = timings[1:] or timings  # the first call builds its clients
    section.figures += [
        Figure("GET /admin/metrics, p50", statistics.median(warm) * 1000, "ms"),
        Figure("GET /admin/metrics, p95", p95(warm) * 1000, "ms"),
        Figure("the first call (cold clients)", timings[0] * 1000, "ms"),
        Figure("counting one event (consumer logic)", filling / counted * 1000, "ms"),
    ]
    section.notes += [
        f"{ok}/{CALLS} calls answered 200; each: two Queries of the analytics table (the totals with the "
        f"series, the breakdowns of up to 30 crops, 40 districts and their gaps) and ListQueues plus "
        f"GetQueueAttributes of {QUEUES * 2} queues; on AWS the queue reads dominate (one call per queue)",
        f"{counted:,} events counted in {filling:.1f} s, each a transaction of the SEEN claim and its ADDs "
        "(an OrderPlaced also puts two active markers per period)",
    ]
    return section
