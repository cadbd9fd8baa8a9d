"""The event lake on Athena (AWS): the named SQL file runs in the lake's workgroup (its result
location, encryption and bytes-scanned cutoff are enforced there) against the Glue database, the
parameters passed as ``ExecutionParameters`` (SQL literals: text quoted, integers as they are).

Athena answers every value as text; columns are converted by the result's declared type (integers
to ``int``, decimals and doubles to ``float``, booleans to ``bool``; NULL to ``None``), so a row reads
as DuckDB's does. Results are paged (Athena returns at most 1,000 rows a page; the first page's
first row is the header)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from soko.analytics.lake import sql
from soko.shared import aws
from soko.shared.errors import DependencyUnavailable

_INTEGERS = {"tinyint", "smallint", "integer", "int", "bigint"}
_FLOATS = {"double", "float", "real", "decimal"}
DONE = {"SUCCEEDED", "FAILED", "CANCELLED"}


class LakeQueryFailed(DependencyUnavailable):
    code = "LAKE_QUERY_FAILED"


def literal(value: str | int) -> str:
    """An execution parameter: an integer as is, text as a quoted SQL literal."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"a lake parameter is text or an integer, not {type(value).__name__}")
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def _converter(kind: str) -> Callable[[str], Any]:
    kind = kind.lower()
    if kind in _INTEGERS:
        return int
    if kind in _FLOATS:
        return float
    if kind == "boolean":
        return lambda text: text.lower() == "true"
    return str


class AthenaLake:
    """The :class:`soko.analytics.lake.Lake` port on Athena."""

    def __init__(
        self,
        workgroup: str,
        database: str,
        athena: Any = None,
        *,
        timeout_seconds: float = 240,
        poll_seconds: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._workgroup = workgroup
        self._database = database
        self._athena = athena if athena is not None else aws.client("athena")
        self._timeout = timeout_seconds
        self._poll = poll_seconds
        self._sleep = sleep

    def query(self, name: str, params: Sequence[str | int]) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "QueryString": sql(name),
            "QueryExecutionContext": {"Database": self._database},
            "WorkGroup": self._workgroup,
        }
        if params:
            request["ExecutionParameters"] = [literal(p) for p in params]
        execution_id = self._athena.start_query_execution(**request)["QueryExecutionId"]
        self._wait(name, execution_id)
        return self._rows(execution_id)

    def _wait(self, name: str, execution_id: str) -> None:
        deadline = time.monotonic() + self._timeout
        delay = self._poll
        while True:
            execution = self._athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
            status = execution["Status"]
            state = status["State"]
            if state == "SUCCEEDED":
                return
            if state in DONE:
                raise LakeQueryFailed(
                    "The lake query did not complete.",
                    details={"query": name, "state": state, "reason": status.get("StateChangeReason", "")},
                )
            if time.monotonic() >= deadline:
                self._athena.stop_query_execution(QueryExecutionId=execution_id)
                raise LakeQueryFailed("The lake query took too long.", details={"query": name})
            self._sleep(delay)
            delay = min(delay * 2, 2.0)

    def _rows(self, execution_id: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        names: list[str] = []
        converters: list[Callable[[str], Any]] = []
        token: str | None = None
        first = True
        while True:
            page = self._athena.get_query_results(
                QueryExecutionId=execution_id, MaxResults=1000, **({"NextToken": token} if token else {})
            )
            result = page["ResultSet"]
            data = result.get("Rows", [])
            if first:
                columns = result.get("ResultSetMetadata", {}).get("ColumnInfo", [])
                names = [c["Name"] for c in columns]
                converters = [_converter(c.get("Type", "varchar")) for c in columns]
                data = data[1:]  # the header row
                first = False
            for row in data:
                cells = [cell.get("VarCharValue") for cell in row.get("Data", [])]
                rows.append(
                    {
                        name: None if cell is None else convert(cell)
                        for name, convert, cell in zip(names, converters, cells, strict=True)
                    }
                )
            token = page.get("NextToken")
            if not token:
                return rows
