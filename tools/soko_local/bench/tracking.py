"""``make bench`` section 11: GPS position ingestion (``POST /transport/bookings/{id}/positions``).

The handler (``soko.logistics.api.positions_post.lambda_handler``: request parsing, the booking
read, the batch slot's conditional write, the Query of stored fixes, the batch write of the new
fixes, the booking's conditional update and the ``TransportPositionUpdated`` publish) is invoked
in-process against moto: a logistics table as the template declares it and an EventBridge bus.
BOOKINGS picked-up bookings on the Gulu -> Kampala road each receive BATCHES batches of FIXES fixes
(one every 2 s, at 60 km/h), the clock moving past the batch interval between rounds. The figure is
fixes/s through one handler; on AWS each DynamoDB call takes a few ms more than moto's, so a
Lambda's rate is lower and the fleet's concurrency sets the total.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from soko_local.bench.core import Figure, Section, in_process_moto_credentials, p95, pk_sk_table, progress

BOOKINGS = 10
BATCHES = 10
FIXES = 50  # a phone's batch: 100 s of fixes at one every 2 s
KM_PER_FIX = 60 / 3600 * 2  # 60 km/h
DEG_PER_KM = 1 / 111.195


def _booking(n: int, created: str) -> dict[str, Any]:
    booking_id = f"01JBENCH{n:018d}"
    return {
        "pk": f"BOOKING#{booking_id}",
        "sk": "BOOKING",
        "id": booking_id,
        "order_id": f"01JORDER{n:018d}",
        "quote_id": f"01JQUOTE{n:018d}",
        "vehicle_id": f"01JVEHIC{n:018d}",
        "vehicle_type": "pickup",
        "plate": "UBA 123X",
        "transporter_id": "bench-transporter",
        "transporter_name": "Okello",
        "buyer_id": f"bench-buyer-{n}",
        "farmer_id": f"bench-farmer-{n}",
        "booked_by": f"bench-buyer-{n}",
        "status": "picked_up",
        "fare_ugx": 250_000,
        "distance_km": "340",
        "weight_kg": "200",
        "pickup_day": created[:10],
        "pickup": {"district": "Gulu", "lat": "2.7724", "lon": "32.2881"},
        "dropoff": {"district": "Kampala", "lat": "0.3476", "lon": "32.5825"},
        "answer_by": created,
        "created_at": created,
        "updated_at": created,
        "version": 3,
    }


def _event(booking_id: str, fixes: list[dict[str, Any]]) -> dict[str, Any]:
    path = f"/transport/bookings/{booking_id}/positions"
    return {
        "version": "2.0",
        "routeKey": "POST /transport/bookings/{id}/positions",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.soko.local"},
        "requestContext": {
            "http": {"method": "POST", "path": path, "sourceIp": "127.0.0.1", "userAgent": "bench"},
            "routeKey": "POST /transport/bookings/{id}/positions",
            "stage": "$default",
            "requestId": f"bench-{time.perf_counter_ns()}",
            "authorizer": {"lambda": {"userId": "bench-transporter", "role": "transporter", "email": ""}},
        },
        "pathParameters": {"id": booking_id},
        "body": json.dumps({"fixes": fixes}),
        "isBase64Encoded": False,
    }


class _Context:
    function_name = "PositionsPostFunction"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:PositionsPostFunction"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _through_moto() -> tuple[list[float], int, int]:
    """Seconds per batch, fixes accepted, batches answered 200."""
    from moto import mock_aws  # noqa: PLC0415

    from soko.shared import aws, clock  # noqa: PLC0415

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    moment = [start]
    real_now = clock.now
    clock.now = lambda: moment[0]  # the batch interval passes between rounds without waiting
    os.environ.update(
        LOGISTICS_TABLE_NAME="bench-logistics", EVENT_BUS_NAME="bench-bus", POWERTOOLS_TRACE_DISABLED="1"
    )
    try:
        with mock_aws():
            aws.reset()
            pk_sk_table(aws.client("dynamodb"), "bench-logistics", ("ALL", "ALL"))
            aws.client("events").create_event_bus(Name="bench-bus")
            created = clock.iso(start - timedelta(hours=1))
            table = aws.resource("dynamodb").Table("bench-logistics")
            for n in range(BOOKINGS):
                table.put_item(Item=_booking(n, created))
            from soko.logistics.api.positions_post import lambda_handler  # noqa: PLC0415

            timings: list[float] = []
            accepted = ok = 0
            for round_ in range(BATCHES):
                moment[0] = start + timedelta(seconds=FIXES * 2 * (round_ + 1))
                for n in range(BOOKINGS):
                    first = round_ * FIXES
                    fixes = [
                        {
                            "lat": 1.5 - (first + i) * KM_PER_FIX * DEG_PER_KM,
                            "lon": 32.45,
                            "at": clock.iso(moment[0] - timedelta(seconds=2 * (FIXES - i))),
                            "accuracy_m": 8,
                        }
                        for i in range(FIXES)
                    ]
                    event = _event(f"01JBENCH{n:018d}", fixes)
                    began = time.perf_counter()
                    result = lambda_handler(event, _Context())
                    timings.append(time.perf_counter() - began)
                    if result["statusCode"] == 200:
                        ok += 1
                        accepted += int(json.loads(result["body"])["accepted"])
    finally:
        clock.now = real_now
        aws.reset()
    return timings, accepted, ok


def measure() -> Section:
    in_process_moto_credentials()
    batches = BOOKINGS * BATCHES
    section = Section(f"11. Tracking: GPS position ingestion, {batches} batches of {FIXES} fixes")
    progress(f"position ingestion: {batches} batches of {FIXES} fixes through the handler (moto)")
    timings, accepted, ok = _through_moto()
    total = sum(timings)
    # the first call imports the handler's dependencies and builds its clients: left out of the rate
    warm = timings[1:] or timings
    section.figures += [
        Figure(
            f"fixes/s through one handler (batches of {FIXES})", (FIXES * len(warm)) / sum(warm), "fixes/s"
        ),
        Figure("a batch, median", statistics.median(warm) * 1000, "ms"),
        Figure("a batch, p95", p95(warm) * 1000, "ms"),
        Figure("the first batch (cold clients)", timings[0] * 1000, "ms"),
    ]
    section.notes += [
        f"{ok}/{batches} batches answered 200, {accepted:,} of {FIXES * batches:,} fixes accepted, "
        f"{total:.1f} s in all; each batch: a GetItem, the slot's conditional UpdateItem, a Query of "
        "the fixes stored in the batch's time range, BatchWriteItem (2 calls of 25), the booking's "
        "conditional UpdateItem and one PutEvents",
        "moto's in-process serialisation costs most of a batch here; on AWS the seven calls take a few "
        "ms each (~30 ms a batch), and the batch interval (one per booking every 10 s) bounds the load "
        "a phone can put on a booking",
    ]
    return section
