"""deps/lake.py: DuckDB over the bucket in the local runtime (and tests), Athena on AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from soko.analytics.dal.lake_athena import AthenaLake
from soko.analytics.dal.lake_duckdb import DuckDbLake
from soko.analytics.deps import lake as wiring
from soko.shared.config import ConfigError, load


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    wiring.lake.cache_clear()
    load.cache_clear()
    yield
    wiring.lake.cache_clear()
    load.cache_clear()


@pytest.mark.parametrize("stage", ["local", "test"])
def test_locally_the_lake_is_duckdb(stage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGE", stage)
    monkeypatch.setenv("LAKE_BUCKET_NAME", "lake")
    assert isinstance(wiring.lake(), DuckDbLake)


def test_on_aws_the_lake_is_athena(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.setenv("LAKE_BUCKET_NAME", "lake")
    monkeypatch.setenv("LAKE_DATABASE", "soko_prod_lake")
    monkeypatch.setenv("LAKE_WORKGROUP", "soko-prod-lake")
    assert isinstance(wiring.lake(), AthenaLake)


def test_on_aws_the_workgroup_and_database_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.setenv("LAKE_BUCKET_NAME", "lake")
    monkeypatch.delenv("LAKE_DATABASE", raising=False)
    monkeypatch.delenv("LAKE_WORKGROUP", raising=False)
    with pytest.raises(ConfigError):
        wiring.lake()
