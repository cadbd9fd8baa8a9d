"""The local runtime's lake writer (soko_local.lake): it evaluates exactly the partition expressions
the template uses, refuses any other, and writes an object per event where Firehose would."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from soko_local import lake
from soko_local.template import load_yaml

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 12, 3, 1, 2, 3, tzinfo=UTC)


def _stream_props() -> dict[str, Any]:
    props: dict[str, Any] = load_yaml(ROOT / "stacks" / "analytics.yaml")["Resources"]["LakeDeliveryStream"][
        "Properties"
    ]
    return props


def _stream() -> lake.DeliveryStream:
    arn = "arn:aws:firehose:us-east-1:123456789012:deliverystream/s"
    return lake.DeliveryStream.from_template("s", arn, "bucket", _stream_props())


def _event(time: Any = "2026-12-02T21:00:00Z", detail_type: str = "PaymentCompleted") -> dict[str, Any]:
    return {
        "version": "0",
        "id": "e-1",
        "detail-type": detail_type,
        "source": "soko.payments",
        "account": "123456789012",
        "time": time,
        "region": "us-east-1",
        "resources": [],
        "detail": {"amount_ugx": 5},
        "ingestion-time": 1.0,
    }


@pytest.mark.parametrize(
    ("time", "day"),
    [
        ("2026-12-02T20:59:59Z", "2026-12-02"),  # 23:59:59 EAT
        ("2026-12-02T21:00:00Z", "2026-12-03"),  # midnight EAT
        ("2026-12-31T21:00:00Z", "2027-01-01"),  # a new year in Kampala first
    ],
)
def test_the_template_s_stream_partitions_by_eat_day_and_detail_type(time: str, day: str) -> None:
    key = _stream().key(lake.envelope(_event(time)), NOW)
    assert key.startswith(f"events/dt={day}/type=PaymentCompleted/s-1-2026-12-03-01-02-03-")
    assert key.endswith(".gz")


def test_an_object_is_the_envelope_as_one_gzipped_json_line() -> None:
    stream = _stream()
    message = lake.envelope(_event(time=1796245200.0))  # moto's time: epoch seconds
    lines = gzip.decompress(stream.record(message)).decode()
    assert lines.endswith("\n") and lines.count("\n") == 1
    written = json.loads(lines)
    assert written["time"] == "2026-12-02T21:00:00Z"
    assert list(written) == list(lake.ENVELOPE)  # moto's ingestion-time is not EventBridge's


def test_an_event_whose_keys_cannot_be_evaluated_goes_to_the_error_prefix() -> None:
    key = _stream().key(lake.envelope(_event(time="yesterday")), NOW)
    assert key.startswith("errors/partitioning-failed/2026-12-03/s-1-")


@pytest.mark.parametrize(
    "query",
    [
        '{dt: .time[0:10], type: .["detail-type"]}',  # the UTC date: not what the lake uses
        '{dt: (.time | fromdateiso8601 + 10800 | strftime("%Y-%m-%d")), source: .source}',
        "dt: .time",
    ],
)
def test_any_other_partition_expression_is_refused(query: str) -> None:
    with pytest.raises(lake.LakeConfigError):
        lake.parse_query(query)


def test_a_prefix_expression_it_does_not_know_is_refused_at_provisioning() -> None:
    props = _stream_props()
    props["ExtendedS3DestinationConfiguration"]["Prefix"] = "events/!{partitionKeyFromLambda:dt}/"
    with pytest.raises(lake.LakeConfigError):
        lake.DeliveryStream.from_template("s", "arn", "bucket", props)


def test_a_processor_it_does_not_run_is_refused() -> None:
    props = _stream_props()
    processors = props["ExtendedS3DestinationConfiguration"]["ProcessingConfiguration"]["Processors"]
    processors.append({"Type": "Lambda", "Parameters": []})
    with pytest.raises(lake.LakeConfigError):
        lake.DeliveryStream.from_template("s", "arn", "bucket", props)


def test_local_names_for_the_lake_s_resources() -> None:
    local = lake.local_lake(
        {
            "LakeDeliveryStream": {"Type": lake.DELIVERY_STREAM, "Properties": {}},
            "LakeDatabase": {"Type": "AWS::Glue::Database"},
            "LakeWorkGroup": {"Type": "AWS::Athena::WorkGroup"},
            "LakeEventsTable": {"Type": "AWS::Glue::Table", "Properties": {"TableInput": {"Name": "events"}}},
            "Other": {"Type": "AWS::SQS::Queue"},
        },
        "soko-local",
        "us-east-1",
        "123456789012",
    )
    assert local.refs == {
        "LakeDeliveryStream": "soko-local-LakeDeliveryStream",
        "LakeDatabase": "soko_local_lakedatabase",
        "LakeWorkGroup": "soko-local-LakeWorkGroup",
        "LakeEventsTable": "events",
    }
    assert local.attributes[("LakeDeliveryStream", "Arn")] == (
        "arn:aws:firehose:us-east-1:123456789012:deliverystream/soko-local-LakeDeliveryStream"
    )
    assert set(local.streams) == {"LakeDeliveryStream"}


def test_a_rule_with_a_stream_and_a_queue_feeds_both() -> None:
    """moto_patches hands the stream target to the lake and the queue to moto, from one rule."""
    import boto3  # noqa: PLC0415
    from moto import mock_aws  # noqa: PLC0415

    from soko_local import moto_patches  # noqa: PLC0415

    moto_patches.apply()
    with mock_aws():
        s3, events, sqs = (boto3.client(s, region_name="us-east-1") for s in ("s3", "events", "sqs"))
        s3.create_bucket(Bucket="lake")
        arn = "arn:aws:firehose:us-east-1:123456789012:deliverystream/unit-lake"
        lake.register(lake.DeliveryStream.from_template("unit-lake", arn, "lake", _stream_props()))
        queue = sqs.create_queue(QueueName="q")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.create_event_bus(Name="bus")
        events.put_rule(
            Name="all", EventBusName="bus", EventPattern=json.dumps({"source": [{"prefix": "soko."}]})
        )
        events.put_targets(
            Rule="all",
            EventBusName="bus",
            Targets=[{"Id": "lake", "Arn": arn}, {"Id": "q", "Arn": queue_arn}],
        )
        events.put_events(
            Entries=[
                {"EventBusName": "bus", "Source": "soko.orders", "DetailType": "OrderPlaced", "Detail": "{}"},
                {"EventBusName": "bus", "Source": "aws.other", "DetailType": "OrderPlaced", "Detail": "{}"},
            ]
        )
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake").get("Contents", [])]
        received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        targets = events.list_targets_by_rule(Rule="all", EventBusName="bus")["Targets"]

    assert len(keys) == 1 and "/type=OrderPlaced/" in keys[0]
    assert len(received) == 1 and json.loads(received[0]["Body"])["source"] == "soko.orders"
    assert [t["Id"] for t in targets] == ["lake", "q"]  # the rule itself is left as it was
