"""``make bench`` section 10: the weekly price digest's fan-out for 100,000 subscribers, in-process on
moto (no runtime: the alerts table and the digest queue as the template declares them).

The weekly job walks the digest index (16 shards, keys-only Queries) and queues pages of 100
subscribers, ten messages per ``SendMessageBatch``; it is timed over all 100,000. The digest consumer
(one Lambda compiling one page: a Query of each subscriber's alerts, a claim, a publish) is timed on a
sample of pages; its rate is per consumer, and the queue runs as many consumers as Lambda's
concurrency allows, so the fleet's rate is that times the concurrency.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from soko_local.bench.core import Figure, Section, progress

SUBSCRIBERS = 100_000
SAMPLE_PAGES = 20  # digest pages compiled to time the consumer (2,000 subscribers)
CONCURRENCY = 50  # consumers the note extrapolates to (the queue's event source scales to this and more)


class _Prices:
    """One recent forecast for every pair (the price layer is benched in section 7)."""

    def latest_price(self, market: str, crop: str) -> float | None:
        return 1000.0

    def forecast(self, market: str, crop: str, weeks_ahead: int = 4) -> Any:
        from soko.ml.models import Forecast, WeeklyPrice  # noqa: PLC0415

        today = date.today()
        weeks = [
            WeeklyPrice(week_start=today + timedelta(weeks=i), price=1000 + 25 * i, lower=900, upper=1200)
            for i in range(weeks_ahead)
        ]
        return Forecast(
            market=market,
            crop=crop,
            predictions=weeks,
            source="model",
            data_through=today - timedelta(days=4),
        )


class _Publisher:
    def __init__(self) -> None:
        self.count = 0

    def publish(self, events: Iterable[Any]) -> None:
        self.count += len(list(events))


def _table(client: Any, name: str) -> None:
    keys = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": f"{index}pk", "KeyType": "HASH"},
                    {"AttributeName": f"{index}sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": projection},
            }
            for index, projection in (("gsi1", "ALL"), ("gsi2", "KEYS_ONLY"))
        ],
    )


def _subscribers(table: Any) -> None:
    from soko.alerts.dal import _stored  # noqa: PLC0415
    from soko.ml.public import FORECAST_CROPS, MARKETS  # noqa: PLC0415
    from soko.shared import ids  # noqa: PLC0415

    with table.batch_writer() as batch:
        for n in range(SUBSCRIBERS):
            owner = f"USER#bench{n:06d}"
            sub = {
                "id": ids.ulid(),
                "owner": owner,
                "user_id": owner.removeprefix("USER#"),
                "crop": FORECAST_CROPS[n % len(FORECAST_CROPS)],
                "market": MARKETS[n % 6].id,
                "digest": True,
                "channel": "app",
                "created_at": "2026-11-21T09:30:00Z",
            }
            batch.put_item(Item=_stored(sub))


def measure() -> Section:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106  (moto's fake keys)
        AWS_DEFAULT_REGION="us-east-1",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws  # noqa: PLC0415

    from soko.alerts import digest, logic  # noqa: PLC0415
    from soko.alerts.dal import AlertsDal  # noqa: PLC0415
    from soko.alerts.digest_store import DigestQueue  # noqa: PLC0415
    from soko.shared import aws  # noqa: PLC0415

    section = Section(
        f"10. Price alerts: the weekly digest's fan-out, {SUBSCRIBERS:,} subscribers (moto, in-process)"
    )
    with mock_aws():
        aws.reset()
        dynamodb = aws.client("dynamodb")
        _table(dynamodb, "bench-alerts")
        url = aws.client("sqs").create_queue(QueueName="bench-digest")["QueueUrl"]
        progress(f"writing {SUBSCRIBERS:,} digest subscriptions into moto")
        started = time.perf_counter()
        _subscribers(aws.resource("dynamodb").Table("bench-alerts"))
        write_s = time.perf_counter() - started
        store = AlertsDal("bench-alerts")

        progress("the weekly job: every shard of the digest index -> pages on the queue")
        started = time.perf_counter()
        pages = digest.fan_out(logic.week(logic.today()), store, DigestQueue(url))
        fan_out_s = time.perf_counter() - started

        progress(f"the digest consumer on {SAMPLE_PAGES} pages")
        sqs = aws.client("sqs")
        bodies: list[list[str]] = []
        while len(bodies) < SAMPLE_PAGES:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                break
            bodies += [json.loads(m["Body"])["owners"] for m in messages]
        bodies = bodies[:SAMPLE_PAGES]
        publisher = _Publisher()
        firing = logic.Firing(store=store, prices=_Prices(), publisher=publisher)
        started = time.perf_counter()
        for owners in bodies:
            logic.digests(owners, firing)
        compile_s = time.perf_counter() - started
    sampled = sum(len(b) for b in bodies)
    per_consumer = sampled / compile_s if compile_s else None
    section.figures += [
        Figure("fan-out job: queue every subscriber (pages of 100)", fan_out_s, "s"),
        Figure("fan-out job rate", SUBSCRIBERS / fan_out_s if fan_out_s else None, "subscribers/s"),
        Figure(
            f"digest consumer: compile and publish, one consumer ({sampled:,} sampled)",
            per_consumer,
            "subscribers/s",
        ),
        Figure(
            f"digest fleet at {CONCURRENCY} concurrent consumers (extrapolated)",
            per_consumer * CONCURRENCY if per_consumer else None,
            "subscribers/s",
        ),
        Figure(
            f"{SUBSCRIBERS:,} digests at that rate (extrapolated)",
            SUBSCRIBERS / (per_consumer * CONCURRENCY) if per_consumer else None,
            "s",
        ),
    ]
    section.notes += [
        f"{SUBSCRIBERS:,} subscriptions written in {write_s:.1f} s; {pages:,} pages queued; "
        f"{publisher.count:,} digests published in the sample (the bus is a counter here: EventBridge "
        "takes 10 entries per PutEvents)",
        "moto answers every call in-process: the job's Queries and SendMessageBatch calls, and each "
        "subscriber's Query and conditional put, cost less than on AWS (a few ms each there); the "
        "forecasts are a stub (section 7 benches the price layer)",
    ]
    return section
