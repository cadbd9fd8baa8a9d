"""The lake's Athena named query is the SQL file the local engine runs: one text, two engines."""

from __future__ import annotations

from pathlib import Path

from soko.analytics.lake import sql
from soko_local.template import load_yaml

ROOT = Path(__file__).resolve().parents[2]


def test_the_gmv_named_query_is_exactly_the_sql_file() -> None:
    resources = load_yaml(ROOT / "stacks" / "analytics.yaml")["Resources"]
    named = [r for r in resources.values() if r["Type"] == "AWS::Athena::NamedQuery"]
    gmv = [r for r in named if r["Properties"]["Name"] == "gmv_by_day"]

    assert len(gmv) == 1
    assert gmv[0]["Properties"]["QueryString"] == sql("gmv_by_day")
    assert gmv[0]["Properties"]["QueryString"] == (
        ROOT / "functions/app/soko/analytics/lake/sql/gmv_by_day.sql"
    ).read_text(encoding="utf-8")


def test_the_stream_partitions_as_the_lake_layout_says() -> None:
    resources = load_yaml(ROOT / "stacks" / "analytics.yaml")["Resources"]
    s3 = resources["LakeDeliveryStream"]["Properties"]["ExtendedS3DestinationConfiguration"]
    assert s3["Prefix"] == "events/dt=!{partitionKeyFromQuery:dt}/type=!{partitionKeyFromQuery:type}/"
    assert s3["CompressionFormat"] == "GZIP"
    assert s3["BufferingHints"] == {"IntervalInSeconds": 60, "SizeInMBs": 64}
    assert s3["DynamicPartitioningConfiguration"]["Enabled"] is True
    table = resources["LakeEventsTable"]["Properties"]["TableInput"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == [
        "id", "source", "account", "time", "region", "detail"
    ]  # fmt: skip
    assert [k["Name"] for k in table["PartitionKeys"]] == ["dt", "type"]
    assert (
        table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"]
        == "org.openx.data.jsonserde.JsonSerDe"
    )
