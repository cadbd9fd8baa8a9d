"""The event lake on DuckDB (local only: ``STAGE`` local or test; duckdb is a dev requirement, never
in a Lambda layer).

The lake bucket's objects (``events/dt=<day>/type=<detail-type>/*.gz``, gzipped JSON lines of
EventBridge envelopes) are mirrored into a local folder (each object once: Firehose never rewrites
one) and read by ``read_json`` with hive partitioning. The view ``events`` has the Glue table's
columns (``id, source, account, time, region, detail`` with ``detail`` as JSON, and the partitions
``dt``, ``type`` as text), and the macro ``json_extract_scalar`` (Athena's name) maps to
``json_extract_string``: the SQL files in ``soko.analytics.lake`` run unchanged here and on Athena.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from soko.analytics.lake import sql
from soko.shared import aws

PREFIX = "events/"
_COLUMNS = {
    "version": "VARCHAR",
    "id": "VARCHAR",
    "detail-type": "VARCHAR",
    "source": "VARCHAR",
    "account": "VARCHAR",
    "time": "VARCHAR",
    "region": "VARCHAR",
    "resources": "JSON",
    "detail": "JSON",
}
_MACROS = "CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)"
_EMPTY = (
    "CREATE OR REPLACE VIEW events AS SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS source, "
    "NULL::VARCHAR AS account, NULL::VARCHAR AS time, NULL::VARCHAR AS region, NULL::JSON AS detail, "
    "NULL::VARCHAR AS dt, NULL::VARCHAR AS type WHERE false"
)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def events_view(connection: duckdb.DuckDBPyConnection, root: Path) -> None:
    """Define ``events`` (and the portable macros) over the lake layout under ``root``."""
    connection.execute(_MACROS)
    if not any(root.glob("dt=*/type=*/*.gz")):
        connection.execute(_EMPTY)
        return
    columns = "{" + ", ".join(f"{_quoted(k)}: {_quoted(v)}" for k, v in _COLUMNS.items()) + "}"
    pattern = _quoted(str(root / "dt=*" / "type=*" / "*.gz"))
    source = (
        f"read_json({pattern}, format = 'newline_delimited', compression = 'gzip', columns = {columns}, "
        "hive_partitioning = true, hive_types = {'dt': 'VARCHAR', 'type': 'VARCHAR'})"
    )  # a folder of ours and fixed column types: no input reaches the statement
    selected = "id, source, account, time, region, detail, dt, type"
    connection.execute(f"CREATE OR REPLACE VIEW events AS SELECT {selected} FROM {source}")  # noqa: S608


def run(
    connection: duckdb.DuckDBPyConnection, name: str, params: Sequence[str | int]
) -> list[dict[str, Any]]:
    """``lake/sql/<name>.sql`` on ``connection`` (its view defined): rows as column -> value."""
    cursor = connection.execute(sql(name), list(params))
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class DuckDbLake:
    """The :class:`soko.analytics.lake.Lake` port over the lake bucket (the embedded S3 locally)."""

    def __init__(self, bucket: str, s3: Any = None, *, cache_dir: Path | None = None) -> None:
        self._bucket = bucket
        self._s3 = s3 if s3 is not None else aws.client("s3")
        self._root = (cache_dir or Path(tempfile.gettempdir()) / "soko-lake" / bucket) / "events"

    def sync(self) -> Path:
        """Mirror the bucket's ``events/`` (new objects fetched, vanished ones removed); the root."""
        present: set[Path] = set()
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=PREFIX):
            for item in page.get("Contents", []):
                local = self._root / item["Key"].removeprefix(PREFIX)
                if not item["Key"].endswith(".gz") or local.parent.parent.parent != self._root:
                    continue  # not a (gzipped) object of the partition layout
                if not local.resolve().is_relative_to(self._root.resolve()):
                    continue
                present.add(local)
                if local.exists() and local.stat().st_size == item["Size"]:
                    continue
                local.parent.mkdir(parents=True, exist_ok=True)
                partial = local.with_name(f"{local.name}.{os.getpid()}.part")  # others read *.gz only
                self._s3.download_file(self._bucket, item["Key"], str(partial))
                partial.replace(local)
        for stale in (p for p in self._root.glob("dt=*/type=*/*.gz") if p not in present):
            stale.unlink(missing_ok=True)
        return self._root

    def query(self, name: str, params: Sequence[str | int]) -> list[dict[str, Any]]:
        root = self.sync()
        with duckdb.connect() as connection:
            events_view(connection, root)
            return run(connection, name, params)
