"""AthenaLake against moto's Athena: the workgroup and database it runs in, the execution parameters
it passes, waiting for the query, and reading every page of the results with typed values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.athena.models import QueryResults, athena_backends
from moto.moto_api import state_manager

from soko.analytics.dal.lake_athena import AthenaLake, LakeQueryFailed, literal
from soko.analytics.lake import sql

ACCOUNT, REGION = "123456789012", "us-east-1"
WORKGROUP, DATABASE = "soko-test-lake", "soko_test_lake"
COLUMNS = [
    {"Name": "day", "Type": "varchar"},
    {"Name": "payments", "Type": "bigint"},
    {"Name": "gmv_ugx", "Type": "bigint"},
]


@pytest.fixture
def athena() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("athena", region_name=REGION)
        client.create_work_group(
            Name=WORKGROUP,
            Configuration={"ResultConfiguration": {"OutputLocation": "s3://lake/athena-results/"}},
        )
        yield client


def _results(rows: list[tuple[str | None, ...]]) -> None:
    """What moto answers for the next query: the header row, then the rows (Athena's shape)."""
    header = {"Data": [{"VarCharValue": c["Name"]} for c in COLUMNS]}
    data = [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows]
    athena_backends[ACCOUNT][REGION].query_results_queue.append(QueryResults([header, *data], COLUMNS))


class Paged:
    """moto answers every row at once; Athena pages (at most MaxResults rows, the header counted on
    the first page) with a NextToken. This pages moto's answer as Athena would."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.pages_read = 0
        self.page_sizes: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def get_query_results(self, QueryExecutionId: str, MaxResults: int, NextToken: str = "0") -> Any:
        everything = self._client.get_query_results(QueryExecutionId=QueryExecutionId)
        rows = everything["ResultSet"]["Rows"]
        start = int(NextToken)
        size = min(MaxResults, 2)  # small pages, so three rows take two
        page = {**everything, "ResultSet": {**everything["ResultSet"], "Rows": rows[start : start + size]}}
        if start + size < len(rows):
            page["NextToken"] = str(start + size)
        self.pages_read += 1
        self.page_sizes.append(MaxResults)
        return page


def test_runs_the_named_sql_in_the_workgroup_with_quoted_parameters(athena: Any) -> None:
    _results([("2026-12-02", "2", "35000")])
    lake = AthenaLake(WORKGROUP, DATABASE, athena, sleep=lambda _s: None)

    rows = lake.query("gmv_by_day", ["2026-12-02", "2026-12-03"])

    assert rows == [{"day": "2026-12-02", "payments": 2, "gmv_ugx": 35_000}]
    (execution_id,) = athena.list_query_executions(WorkGroup=WORKGROUP)["QueryExecutionIds"]
    execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
    assert execution["Query"] == sql("gmv_by_day")
    assert execution["WorkGroup"] == WORKGROUP
    assert execution["QueryExecutionContext"] == {"Database": DATABASE}
    assert execution["ExecutionParameters"] == ["'2026-12-02'", "'2026-12-03'"]


def test_reads_every_page_and_skips_only_the_header(athena: Any) -> None:
    _results([("2026-12-01", "1", "10"), ("2026-12-02", "3", "20"), ("2026-12-03", None, "30")])
    paged = Paged(athena)
    lake = AthenaLake(WORKGROUP, DATABASE, paged, sleep=lambda _s: None)

    rows = lake.query("gmv_by_day", ["2026-12-01", "2026-12-03"])

    assert rows == [
        {"day": "2026-12-01", "payments": 1, "gmv_ugx": 10},
        {"day": "2026-12-02", "payments": 3, "gmv_ugx": 20},
        {"day": "2026-12-03", "payments": None, "gmv_ugx": 30},
    ]
    assert paged.pages_read == 2  # header + 1 row, then 2 rows
    assert paged.page_sizes == [1000, 1000]


def test_waits_while_the_query_is_queued_and_running(athena: Any) -> None:
    state_manager.set_transition("athena::execution", {"progression": "manual", "times": 3})
    try:
        _results([("2026-12-02", "1", "5")])
        slept: list[float] = []
        lake = AthenaLake(WORKGROUP, DATABASE, athena, poll_seconds=0.1, sleep=slept.append)

        assert lake.query("gmv_by_day", ["2026-12-02", "2026-12-02"]) == [
            {"day": "2026-12-02", "payments": 1, "gmv_ugx": 5}
        ]
        assert slept and slept == sorted(slept)  # it waited, backing off
    finally:
        state_manager.unset_transition("athena::execution")


def test_an_empty_result_is_no_rows(athena: Any) -> None:
    _results([])
    assert (
        AthenaLake(WORKGROUP, DATABASE, athena, sleep=lambda _s: None).query(
            "gmv_by_day", ["2026-12-02", "2026-12-02"]
        )
        == []
    )


class _Failing:
    def __init__(self, state: str) -> None:
        self.state = state
        self.stopped = False

    def start_query_execution(self, **_: Any) -> Any:
        return {"QueryExecutionId": "q-1"}

    def get_query_execution(self, QueryExecutionId: str) -> Any:
        return {
            "QueryExecution": {"Status": {"State": self.state, "StateChangeReason": "bytes scanned cutoff"}}
        }

    def stop_query_execution(self, QueryExecutionId: str) -> Any:
        self.stopped = True


def test_a_failed_query_is_a_dependency_error_with_athena_s_reason() -> None:
    with pytest.raises(LakeQueryFailed) as failed:
        AthenaLake(WORKGROUP, DATABASE, _Failing("FAILED"), sleep=lambda _s: None).query(
            "gmv_by_day", ["a", "b"]
        )
    assert failed.value.status == 503
    assert failed.value.details["reason"] == "bytes scanned cutoff"


def test_a_query_that_runs_too_long_is_stopped() -> None:
    client = _Failing("RUNNING")
    with pytest.raises(LakeQueryFailed):
        AthenaLake(WORKGROUP, DATABASE, client, timeout_seconds=0, sleep=lambda _s: None).query(
            "gmv_by_day", ["a", "b"]
        )
    assert client.stopped


@pytest.mark.parametrize(
    ("value", "written"), [("2026-12-03", "'2026-12-03'"), ("O'Brien", "'O''Brien'"), (42, "42")]
)
def test_parameters_are_sql_literals(value: str | int, written: str) -> None:
    assert literal(value) == written


def test_other_parameter_types_are_refused() -> None:
    with pytest.raises(TypeError):
        literal(True)
