"""``make bench`` section 10: the weekly price digest's fan-out for 100,000 subscribers.

The fan-out is the weekly job (every shard of the digest index -> pages of 100 subscribers on the
queue, ten messages per ``SendMessageBatch``) and the digest consumer (per page: each subscriber's
alerts, a claim, a notice). Both run the domain's own code twice:

- 100,000 subscribers generated in-process, the table's index layout (16 shards) and the queue held
  in memory: the code's own rate, end to end, in subscribers/s;
- a sample through moto (the alerts table and an SQS queue as the template declares them), the real
  data access: what each AWS call adds, per subscriber.

The consumer's rate is per Lambda; the queue runs as many as its concurrency allows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from soko_local.bench.core import Figure, Section, in_process_moto_credentials, pk_sk_table, progress

SUBSCRIBERS = 100_000
MOTO_SUBSCRIBERS = 500  # the moto sample (moto costs milliseconds a call)
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


def _sub(n: int) -> dict[str, Any]:
    from soko.ml.public import FORECAST_CROPS, MARKETS  # noqa: PLC0415

    owner = f"USER#bench{n:06d}"
    return {
        "id": f"01JD{n:022d}",
        "owner": owner,
        "user_id": owner.removeprefix("USER#"),
        "crop": FORECAST_CROPS[n % len(FORECAST_CROPS)],
        "market": MARKETS[n % 6].id,
        "digest": True,
        "channel": "app",
        "created_at": "2026-11-21T09:30:00Z",
    }


class _MemoryStore:
    """The alerts table's digest index and owners' partitions, in memory (the DAL's layout)."""

    def __init__(self, count: int) -> None:
        from soko.alerts.dal import DIGEST_SHARDS, digest_shard  # noqa: PLC0415

        self.owners: dict[str, list[dict[str, Any]]] = {}
        self.shards: list[list[str]] = [[] for _ in range(DIGEST_SHARDS)]
        self.claims: set[str] = set()
        for n in range(count):
            sub = _sub(n)
            self.owners.setdefault(sub["owner"], []).append(sub)
            self.shards[digest_shard(sub["owner"])].append(sub["owner"])
        for shard in self.shards:
            shard.sort()

    def digest_owners(self, shard: int) -> Iterator[str]:
        return iter(self.shards[shard])

    def owned(self, owner: str) -> list[dict[str, Any]]:
        return self.owners.get(owner, [])

    def claim(self, key: str, ttl_seconds: int, **fields: Any) -> bool:
        if key in self.claims:
            return False
        self.claims.add(key)
        return True

    def release(self, key: str) -> None:
        self.claims.discard(key)


class _MemoryQueue:
    def __init__(self) -> None:
        self.pages: list[list[str]] = []

    def send_pages(self, week: str, owners: Iterator[str]) -> int:
        from soko.alerts.digest_store import PAGE  # noqa: PLC0415

        page: list[str] = []
        for owner in owners:
            page.append(owner)
            if len(page) == PAGE:
                self.pages.append(page)
                page = []
        if page:
            self.pages.append(page)
        return len(self.pages)


def _in_memory() -> tuple[float, float, int, int]:
    """The job's and the consumer's seconds for SUBSCRIBERS, the pages and the digests published."""
    from soko.alerts import digest, logic  # noqa: PLC0415

    store, queue, publisher = _MemoryStore(SUBSCRIBERS), _MemoryQueue(), _Publisher()
    started = time.perf_counter()
    pages = digest.fan_out(logic.week(logic.today()), store, queue)
    job_s = time.perf_counter() - started
    firing = logic.Firing(store=store, prices=_Prices(), publisher=publisher)  # type: ignore[arg-type]
    started = time.perf_counter()
    for owners in queue.pages:
        logic.digests(owners, firing)
    return job_s, time.perf_counter() - started, pages, publisher.count


def _through_moto() -> tuple[float, float]:
    """The job's and the consumer's seconds for MOTO_SUBSCRIBERS through moto."""
    from moto import mock_aws  # noqa: PLC0415

    from soko.alerts import digest, logic  # noqa: PLC0415
    from soko.alerts.dal import AlertsDal, _stored  # noqa: PLC0415
    from soko.alerts.digest_store import DigestQueue  # noqa: PLC0415
    from soko.shared import aws  # noqa: PLC0415

    with mock_aws():
        aws.reset()
        pk_sk_table(aws.client("dynamodb"), "bench-alerts", ("ALL", "KEYS_ONLY"))
        url = aws.client("sqs").create_queue(QueueName="bench-digest")["QueueUrl"]
        with aws.resource("dynamodb").Table("bench-alerts").batch_writer() as batch:
            for n in range(MOTO_SUBSCRIBERS):
                batch.put_item(Item=_stored(_sub(n)))
        store = AlertsDal("bench-alerts")
        started = time.perf_counter()
        digest.fan_out(logic.week(logic.today()), store, DigestQueue(url))
        job_s = time.perf_counter() - started
        sqs, pages = aws.client("sqs"), []
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            pages += [json.loads(m["Body"])["owners"] for m in messages]
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
        firing = logic.Firing(store=store, prices=_Prices(), publisher=_Publisher())
        started = time.perf_counter()
        for owners in pages:
            logic.digests(owners, firing)
        consumer_s = time.perf_counter() - started
    aws.reset()
    return job_s, consumer_s


def _rate(count: int, seconds: float) -> float | None:
    return count / seconds if seconds else None


def measure() -> Section:
    in_process_moto_credentials()
    section = Section(f"10. Price alerts: the weekly digest's fan-out for {SUBSCRIBERS:,} subscribers")
    progress(f"the weekly digest for {SUBSCRIBERS:,} subscribers (in memory)")
    job_s, consumer_s, pages, published = _in_memory()
    progress(f"the weekly digest for {MOTO_SUBSCRIBERS:,} subscribers through moto")
    moto_job_s, moto_consumer_s = _through_moto()
    consumer_rate = _rate(SUBSCRIBERS, consumer_s)
    moto_rate = _rate(MOTO_SUBSCRIBERS, moto_consumer_s)
    section.figures += [
        Figure(
            f"job: {SUBSCRIBERS:,} subscribers, {pages:,} pages", _rate(SUBSCRIBERS, job_s), "subscribers/s"
        ),
        Figure("consumer: compile and publish, one Lambda", consumer_rate, "subscribers/s"),
        Figure(
            f"end to end with {CONCURRENCY} consumers",
            _rate(SUBSCRIBERS, job_s + SUBSCRIBERS / (consumer_rate * CONCURRENCY))
            if consumer_rate
            else None,
            "subscribers/s",
        ),
        Figure(
            f"job through moto ({MOTO_SUBSCRIBERS:,} subscribers)",
            _rate(MOTO_SUBSCRIBERS, moto_job_s),
            "subscribers/s",
        ),
        Figure("consumer through moto, one Lambda", moto_rate, "subscribers/s"),
        Figure(
            f"{SUBSCRIBERS:,} digests through moto's calls at {CONCURRENCY} consumers (extrapolated)",
            SUBSCRIBERS / (moto_rate * CONCURRENCY) if moto_rate else None,
            "s",
        ),
    ]
    section.notes += [
        f"{published:,} digests compiled in memory (one per subscriber, their pairs' latest price and "
        "4-week outlook with its age); the forecasts are a stub (section 7 benches the price layer) and "
        "the bus a counter (EventBridge takes 10 entries per PutEvents)",
        "through moto each subscriber costs a Query of its alerts and a conditional put (the claim), "
        "and the job a keys-only Query page per 1 MB and a SendMessageBatch per 1,000 subscribers; "
        "on AWS those calls take a few ms each, so the fleet's concurrency, not the code, sets the rate",
    ]
    return section
