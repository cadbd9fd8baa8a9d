"""soko_local.moto_patches: a table's stream stays consistent for its readers while transactions run.

The local runtime reads each table's stream (DescribeStream, GetShardIterator, GetRecords) in a
thread of its own while functions write to moto from others. These tests do the same against
in-process moto: one thread runs transactions, committed and cancelled, in a loop; another reads
the stream meanwhile. Every read must succeed, and the records must be exactly the committed
writes, in order, with consecutive sequence numbers.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from soko_local import moto_patches

TABLE = "race"
TRANSACTIONS = 120
PUTS = 10  # per transaction: a longer transaction is a wider window for a reader to fall into
SWITCH_INTERVAL_S = 1e-5  # threads take turns often (the default 5 ms would hide most overlaps)
READ_SECONDS_AFTER = 0.5


@pytest.fixture
def often_switching_threads() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def streams(aws: None) -> Iterator[tuple[Any, Any, str]]:
    """(dynamodb client, dynamodbstreams client, stream ARN) for a table with a stream."""
    moto_patches.apply()
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    created = dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    yield (
        dynamodb,
        boto3.client("dynamodbstreams", region_name="us-east-1"),
        created["TableDescription"]["LatestStreamArn"],
    )


def _transact(dynamodb: Any, n: int) -> bool:
    """Every third transaction is cancelled by its condition (after its first write)."""
    items = [{"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"item-{n}-{k}"}}}} for k in range(PUTS)]
    items.append(
        {
            "ConditionCheck": {
                "TableName": TABLE,
                "Key": {"pk": {"S": "gate"}},
                "ConditionExpression": "attribute_not_exists(pk)" if n % 3 else "attribute_exists(pk)",
            }
        }
    )
    try:
        dynamodb.transact_write_items(TransactItems=items)
    except ClientError as err:
        assert err.response["Error"]["Code"] == "TransactionCanceledException"
        return False
    return True


class _Reader:
    """Reads the stream as the local runtime's poller does, until told to stop."""

    def __init__(self, client: Any, arn: str) -> None:
        self.client, self.arn = client, arn
        self.errors: list[str] = []
        self.records: list[dict[str, Any]] = []
        self.reads = 0
        self.stop = threading.Event()
        self._iterator: str | None = None

    def _step(self) -> None:
        shards = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        shard_id = shards[0]["ShardId"]
        fresh = self.client.get_shard_iterator(
            StreamArn=self.arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        self._iterator = self._iterator or fresh
        answer = self.client.get_records(ShardIterator=self._iterator, Limit=25)
        self.records += answer["Records"]
        self._iterator = answer["NextShardIterator"]
        self.reads += 1

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._step()
            except Exception as err:  # every failure is a finding
                self.errors.append(f"{type(err).__name__}: {err}")

    def drain(self) -> None:
        while True:
            before = len(self.records)
            self._step()
            if len(self.records) == before:
                return


def test_stream_readers_see_a_consistent_stream_while_transactions_run(
    streams: tuple[Any, Any, str], often_switching_threads: None
) -> None:
    dynamodb, client, arn = streams
    reader = _Reader(client, arn)
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    try:
        committed = [n for n in range(TRANSACTIONS) if _transact(dynamodb, n)]
        time.sleep(READ_SECONDS_AFTER)
    finally:
        reader.stop.set()
        thread.join(timeout=30)
    assert reader.reads > 0
    assert reader.errors == [], f"{len(reader.errors)} failed reads, first: {reader.errors[0]}"
    reader.drain()
    keys = [record["dynamodb"]["Keys"]["pk"]["S"] for record in reader.records]
    assert keys == [f"item-{n}-{k}" for n in committed for k in range(PUTS)]
    numbers = [int(record["dynamodb"]["SequenceNumber"]) for record in reader.records]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def test_a_cancelled_transaction_publishes_nothing_and_the_stream_goes_on(
    streams: tuple[Any, Any, str],
) -> None:
    dynamodb, client, arn = streams
    assert _transact(dynamodb, 0) is False
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "after"}})
    assert _transact(dynamodb, 1) is True
    reader = _Reader(client, arn)
    reader.drain()
    keys = [record["dynamodb"]["Keys"]["pk"]["S"] for record in reader.records]
    assert keys == ["after", *(f"item-1-{k}" for k in range(PUTS))]
    shard = client.describe_stream(StreamArn=arn)["StreamDescription"]
    assert shard["StreamStatus"] == "ENABLED" and len(shard["Shards"]) == 1
