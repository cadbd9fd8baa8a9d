"""The event lake's queries: the SQL in ``sql/`` runs unchanged on Athena (AWS) and DuckDB (local).

Layout of the lake bucket (written by Kinesis Data Firehose from the bus; locally by the runtime):
``events/dt=<yyyy-mm-dd>/type=<detail-type>/<object>.gz``, each object gzipped JSON lines, one
EventBridge event per line (``version, id, detail-type, source, account, time, region, resources,
detail``). ``dt`` is the event's date in East Africa Time, so a day in the lake is the same day as in
``GET /admin/metrics``. The table ``events`` (Glue) has the columns ``id, source, account, time,
region`` and ``detail`` (the detail as JSON text), partitioned by ``dt`` and ``type``.

Portable SQL: only functions both engines have (``json_extract_scalar`` is defined in DuckDB as a
macro of ``json_extract_string``), ``?`` parameters, no engine-specific date functions. Every query
names the detail-type(s) it reads (``type = '...'``: the Glue table projects ``type`` as injected)
and should bound ``dt``.

Engines (``soko.analytics.deps.lake.lake()`` picks one): ``dal.lake_athena.AthenaLake`` on AWS (the
lake's workgroup and Glue database) and ``dal.lake_duckdb.DuckDbLake`` locally (over the embedded
S3, which the local runtime fills at once, one object per event). Rows come back alike from both:
column -> value, integers as ``int``. See docs/analytics-lake.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

SQL_DIR = Path(__file__).with_name("sql")


@cache
def sql(name: str) -> str:
    """The text of ``sql/<name>.sql`` (a known name only: never built from input)."""
    path = SQL_DIR / f"{name}.sql"
    if path.parent != SQL_DIR or not path.is_file():
        raise KeyError(name)
    return path.read_text(encoding="utf-8")


class Lake(Protocol):
    """Runs a named query with positional parameters; answers rows as dicts of column -> value."""

    def query(self, name: str, params: Sequence[str | int]) -> list[dict[str, Any]]: ...
