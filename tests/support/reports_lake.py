"""A lake for the reports' tests: events written in the lake's layout (gzipped JSON lines under
``events/dt=<EAT day>/type=<detail-type>/``) in a temporary directory, and a ``Lake`` that runs the
real ``lake/sql/*.sql`` over them through the local engine's own view and runner
(``soko.analytics.dal.lake_duckdb``), without the bucket the engine mirrors."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from soko.analytics.dal.lake_duckdb import events_view, run
from soko.shared.clock import EAT


def lake_event(source: str, detail_type: str, detail: dict[str, Any], time: str) -> dict[str, Any]:
    """An EventBridge event as Firehose writes it to the lake."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": time,
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def write_events(root: Path, events: Sequence[dict[str, Any]]) -> None:
    """One gzipped JSON-lines object per event at the key the delivery stream's prefix gives."""
    for event in events:
        day = datetime.fromisoformat(event["time"].replace("Z", "+00:00")).astimezone(EAT).date()
        folder = root / "events" / f"dt={day.isoformat()}" / f"type={event['detail-type']}"
        folder.mkdir(parents=True, exist_ok=True)
        with gzip.open(folder / f"{event['id']}.gz", "wt", encoding="utf-8") as out:
            out.write(json.dumps(event) + "\n")


class DuckLake:
    """``Lake`` over a directory in the lake's layout."""

    def __init__(self, root: Path):
        self.root = root
        self.queries: list[tuple[str, list[str | int]]] = []

    def query(self, name: str, params: Sequence[str | int]) -> list[dict[str, Any]]:
        """The named SQL through the local engine's own view and runner (soko.analytics.dal.lake_duckdb)."""
        self.queries.append((name, list(params)))
        with duckdb.connect() as connection:
            events_view(connection, self.root / "events")
            return run(connection, name, params)
