"""The event lake end to end on the template: events published on the bus land in the lake bucket
(events/dt=<EAT date>/type=<detail-type>/, gzipped JSON lines of the full envelope), and DuckDB
runs lake/sql/gmv_by_day.sql over them for the GMV GET /admin/metrics counts."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from soko.analytics.dal.lake_duckdb import DuckDbLake
from soko.payments.events import PaymentCompleted, PaymentFailed
from soko.shared.bus import EventPublisher
from soko_local.provision import Deployment


def _payment(amount: int, fare: int | None = None) -> PaymentCompleted:
    extra = {} if fare is None else {"fare_ugx": fare}
    return PaymentCompleted(
        payment_id=f"pay-{uuid.uuid4().hex[:8]}",
        order_id=f"ord-{uuid.uuid4().hex[:8]}",
        buyer_id="buyer-1",
        farmer_id="farmer-1",
        amount_ugx=amount,
        currency="UGX",
        provider="momo",
        confirmation_code="XYZ",
        **extra,
    )


def _put(bus: str, event: Any, at: str) -> None:
    """One event at a given time (the publisher leaves Time to EventBridge: now)."""
    answer = boto3.client("events").put_events(
        Entries=[
            {
                "EventBusName": bus,
                "Source": event.SOURCE,
                "DetailType": event.DETAIL_TYPE,
                "Detail": event.model_dump_json(),
                "Time": datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
            }
        ]
    )
    assert answer["FailedEntryCount"] == 0


def _objects(bucket: str) -> dict[str, list[dict[str, Any]]]:
    s3 = boto3.client("s3")
    found = {}
    for item in s3.list_objects_v2(Bucket=bucket, Prefix="events/").get("Contents", []):
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        found[item["Key"]] = [json.loads(line) for line in gzip.decompress(body).decode().splitlines()]
    return found


@pytest.fixture
def lake_bucket(deployment: Deployment) -> str:
    return deployment.physical["LakeBucket"]


@pytest.fixture
def bus(deployment: Deployment) -> str:
    """The bus's name, as every function is given it."""
    return next(iter(deployment.functions.values())).environment["EVENT_BUS_NAME"]


def test_an_event_lands_in_its_eat_day_and_type_partition_as_a_gzipped_envelope(
    bus: str, lake_bucket: str
) -> None:
    payment = _payment(52_000, fare=2_000)
    _put(bus, payment, "2026-12-02T21:30:00Z")  # 00:30 on 3 December in Kampala

    objects = _objects(lake_bucket)

    assert len(objects) == 1
    key, lines = next(iter(objects.items()))
    assert key.startswith("events/dt=2026-12-03/type=PaymentCompleted/")
    assert key.endswith(".gz")
    assert len(lines) == 1
    envelope = lines[0]
    assert list(envelope) == [
        "version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"
    ]  # fmt: skip
    assert envelope["time"] == "2026-12-02T21:30:00Z"
    assert envelope["source"] == "soko.payments"
    assert envelope["detail-type"] == "PaymentCompleted"
    assert envelope["detail"] == json.loads(payment.model_dump_json())


def test_every_soko_source_is_delivered_and_nothing_else(bus: str, lake_bucket: str) -> None:
    failed = PaymentFailed(
        payment_id="p",
        order_id="o",
        buyer_id="b",
        farmer_id="f",
        amount_ugx=1,
        currency="UGX",
        provider="momo",
        reason="declined",
    )
    EventPublisher(bus).publish([failed])  # the domains' own publisher (Time: now)
    boto3.client("events").put_events(
        Entries=[{"EventBusName": bus, "Source": "other.app", "DetailType": "Thing", "Detail": "{}"}]
    )
    keys = list(_objects(lake_bucket))
    assert len(keys) == 1
    assert "/type=PaymentFailed/" in keys[0]


def test_gmv_by_day_reads_the_lake_by_eat_day(bus: str, lake_bucket: str, tmp_path: Path) -> None:
    # 2 December EAT: 20:59:59 UTC is 23:59:59 EAT
    _put(bus, _payment(10_000), "2026-12-01T21:00:00Z")  # 00:00:00 on 2 Dec EAT (first second)
    _put(bus, _payment(30_000, fare=5_000), "2026-12-02T20:59:59Z")  # 23:59:59 on 2 Dec EAT
    # 3 December EAT
    _put(bus, _payment(7_000, fare=0), "2026-12-02T21:00:00Z")  # 00:00:00 on 3 Dec EAT
    _put(bus, _payment(100_000, fare=12_500), "2026-12-03T12:00:00Z")
    # outside the range asked: 1 December EAT (20:59:59 UTC on the 1st) and 4 December EAT
    _put(bus, _payment(999), "2026-12-01T20:59:59Z")
    _put(bus, _payment(888), "2026-12-03T21:00:00Z")
    # not a completed payment: not GMV
    _put(
        bus,
        PaymentFailed(
            payment_id="p", order_id="o", buyer_id="b", farmer_id="f", amount_ugx=5_000_000,
            currency="UGX", provider="momo", reason="declined",
        ),
        "2026-12-02T10:00:00Z",
    )  # fmt: skip

    lake = DuckDbLake(lake_bucket, boto3.client("s3"), cache_dir=tmp_path)
    rows = lake.query("gmv_by_day", ["2026-12-02", "2026-12-03"])

    assert rows == [
        {"day": "2026-12-02", "payments": 2, "gmv_ugx": 10_000 + 25_000},
        {"day": "2026-12-03", "payments": 2, "gmv_ugx": 7_000 + 87_500},
    ]
    assert lake.query("gmv_by_day", ["2026-12-01", "2026-12-01"]) == [
        {"day": "2026-12-01", "payments": 1, "gmv_ugx": 999}
    ]


def test_the_mirror_follows_the_bucket(bus: str, lake_bucket: str, tmp_path: Path) -> None:
    lake = DuckDbLake(lake_bucket, boto3.client("s3"), cache_dir=tmp_path)
    assert lake.query("gmv_by_day", ["2026-12-01", "2026-12-31"]) == []  # an empty lake answers
    _put(bus, _payment(4_000), "2026-12-10T09:00:00Z")
    assert lake.query("gmv_by_day", ["2026-12-01", "2026-12-31"]) == [
        {"day": "2026-12-10", "payments": 1, "gmv_ugx": 4_000}
    ]
    s3 = boto3.client("s3")
    for item in s3.list_objects_v2(Bucket=lake_bucket, Prefix="events/")["Contents"]:
        s3.delete_object(Bucket=lake_bucket, Key=item["Key"])
    assert lake.query("gmv_by_day", ["2026-12-01", "2026-12-31"]) == []
