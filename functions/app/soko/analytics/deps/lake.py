"""The event lake for a function: DuckDB over the embedded S3 locally, Athena on AWS.

A function that reads the lake declares, in stacks/analytics.yaml:

- environment ``LAKE_BUCKET_NAME: !Ref LakeBucket``, ``LAKE_DATABASE: !Ref LakeDatabase``,
  ``LAKE_WORKGROUP: !Ref LakeWorkGroup``;
- policy: ``athena:StartQueryExecution``, ``athena:GetQueryExecution``, ``athena:GetQueryResults``,
  ``athena:StopQueryExecution`` on the workgroup
  (``arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/${LakeWorkGroup}``);
  ``glue:GetDatabase``, ``glue:GetTable`` on the catalog, the database and its ``events`` table;
  ``s3:GetObject`` on ``${LakeBucketArn}/events/*``, ``s3:ListBucket`` and
  ``s3:GetBucketLocation`` on the bucket, and ``s3:PutObject``, ``s3:GetObject`` on
  ``${LakeBucketArn}/athena-results/*`` (Athena reads and writes as the caller).
"""

from __future__ import annotations

from functools import cache

from pydantic import Field

from soko.analytics.lake import Lake
from soko.shared.config import BaseConfig, ConfigError, load


class LakeConfig(BaseConfig):
    """A function that queries the lake."""

    lake_bucket_name: str = Field(min_length=1)
    lake_database: str = Field(default="", description="the Glue database (AWS only)")
    lake_workgroup: str = Field(default="", description="the Athena workgroup (AWS only)")


@cache
def lake() -> Lake:
    config = load(LakeConfig)
    if config.is_local:
        from soko.analytics.dal.lake_duckdb import DuckDbLake  # noqa: PLC0415  (dev requirement only)

        return DuckDbLake(config.lake_bucket_name)
    from soko.analytics.dal.lake_athena import AthenaLake  # noqa: PLC0415

    if not config.lake_database or not config.lake_workgroup:
        raise ConfigError("LAKE_DATABASE and LAKE_WORKGROUP are required outside the local runtime")
    return AthenaLake(config.lake_workgroup, config.lake_database)
