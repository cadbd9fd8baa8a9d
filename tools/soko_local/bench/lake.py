"""``make bench`` section 13: the event lake's GMV query over 1,000,000 events, on DuckDB.

1,000,000 EventBridge envelopes (60% ``PaymentCompleted``, the rest order events, one EAT year) are
generated and written in the lake's layout (``events/dt=<day>/type=<detail-type>/``, gzipped JSON
lines, a few objects a partition as Firehose's buffering makes them) into a temporary folder;
``lake/sql/gmv_by_day.sql`` then runs on the local engine's own view (``soko.analytics.dal
.lake_duckdb``: the code ``DuckDbLake`` runs after mirroring the bucket; the mirror itself is left
out, moto would dominate) over the whole year and over one month (partition pruning), and its
answer is checked against the GMV summed while generating.
"""

from __future__ import annotations

import gzip
import json
import random
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from soko_local.bench.core import Figure, Section, progress

EVENTS = 1_000_000
OBJECTS_PER_PARTITION = 3  # Firehose's 60 s buffer: a busy day's partition holds several objects
YEAR = 2026
OTHER_TYPES = ("OrderPlaced", "OrderConfirmed", "OrderCompleted", "PaymentFailed")
EAT_OFFSET = timedelta(hours=3)


def _events(rng: random.Random) -> tuple[dict[tuple[str, str], list[str]], dict[str, int]]:
    """Partition (day, type) -> JSON lines; and the GMV by EAT day of the payments."""
    start = datetime(YEAR, 1, 1, tzinfo=UTC) - EAT_OFFSET  # midnight EAT on 1 January
    seconds = 365 * 86400
    partitions: dict[tuple[str, str], list[str]] = defaultdict(list)
    gmv: dict[str, int] = defaultdict(int)
    for i in range(EVENTS):
        at = start + timedelta(seconds=rng.randrange(seconds))
        day = (at + EAT_OFFSET).date().isoformat()
        if i % 5 < 3:
            detail_type, source = "PaymentCompleted", "soko.payments"
            amount = rng.randrange(5_000, 2_000_000)
            fare = rng.choice((0, 0, rng.randrange(1_000, 40_000)))
            detail: dict[str, Any] = {
                "payment_id": f"pay-{i}",
                "order_id": f"ord-{i}",
                "buyer_id": "b",
                "farmer_id": "f",
                "amount_ugx": amount,
                "currency": "UGX",
                "provider": "momo",
                "confirmation_code": "X",
            }
            if fare:
                detail["fare_ugx"] = fare
            gmv[day] += amount - fare
        else:
            detail_type, source = OTHER_TYPES[i % len(OTHER_TYPES)], "soko.orders"
            detail = {"order_id": f"ord-{i}", "total_ugx": rng.randrange(5_000, 2_000_000)}
        envelope = {
            "version": "0",
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "detail-type": detail_type,
            "source": source,
            "account": "123456789012",
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": detail,
        }
        partitions[(day, detail_type)].append(json.dumps(envelope, separators=(",", ":")))
    return partitions, gmv


def _write(root: Path, partitions: dict[tuple[str, str], list[str]]) -> int:
    objects = 0
    for (day, detail_type), lines in partitions.items():
        folder = root / f"dt={day}" / f"type={detail_type}"
        folder.mkdir(parents=True, exist_ok=True)
        size = -(-len(lines) // OBJECTS_PER_PARTITION)
        for n in range(0, len(lines), size):
            body = "\n".join(lines[n : n + size]) + "\n"
            (folder / f"lake-1-{day}-{n:06d}.gz").write_bytes(gzip.compress(body.encode(), compresslevel=6))
            objects += 1
    return objects


def _query(root: Path, since: str, until: str) -> tuple[float, list[dict[str, Any]]]:
    import duckdb  # noqa: PLC0415

    from soko.analytics.dal.lake_duckdb import events_view, run  # noqa: PLC0415

    started = time.perf_counter()
    with duckdb.connect() as connection:
        events_view(connection, root)
        rows = run(connection, "gmv_by_day", [since, until])
    return time.perf_counter() - started, rows


def _check(rows: list[dict[str, Any]], gmv: dict[str, int], since: str, until: str) -> None:
    expected = {day: value for day, value in gmv.items() if since <= day <= until}
    answered = {row["day"]: int(row["gmv_ugx"]) for row in rows}
    if answered != expected:
        wrong = sorted(d for d in expected.keys() | answered.keys() if expected.get(d) != answered.get(d))
        raise RuntimeError(f"gmv_by_day answered a wrong GMV on {len(wrong)} days, e.g. {wrong[:3]}")


def measure() -> Section:
    section = Section(f"13. Event lake: gmv_by_day over {EVENTS:,} events (DuckDB)")
    rng = random.Random(20)  # noqa: S311  (test data, seeded: the same events every run)
    with tempfile.TemporaryDirectory(prefix="soko-lake-bench-") as folder:
        root = Path(folder) / "events"
        progress(f"the lake: generating {EVENTS:,} events")
        started = time.perf_counter()
        partitions, gmv = _events(rng)
        generate_s = time.perf_counter() - started
        progress("the lake: writing them in the lake layout")
        started = time.perf_counter()
        objects = _write(root, partitions)
        write_s = time.perf_counter() - started
        size_mb = sum(p.stat().st_size for p in root.rglob("*.gz")) / 1e6
        year = (date(YEAR, 1, 1).isoformat(), date(YEAR, 12, 31).isoformat())
        month = (f"{YEAR}-06-01", f"{YEAR}-06-30")
        progress("the lake: gmv_by_day over the year, then one month")
        cold_s, rows = _query(root, *year)
        _check(rows, gmv, *year)
        warm_s, _ = _query(root, *year)
        month_s, month_rows = _query(root, *month)
        _check(month_rows, gmv, *month)
    payments = sum(1 for i in range(EVENTS) if i % 5 < 3)
    section.figures += [
        Figure(f"generate {EVENTS:,} envelopes", generate_s, "s"),
        Figure(
            f"load: write them gzipped in the lake layout ({objects:,} objects, {size_mb:.0f} MB)",
            write_s,
            "s",
        ),
        Figure(f"query: gmv_by_day over the year ({payments:,} payments, 365 days), first", cold_s, "s"),
        Figure("query: the same again (files in the page cache)", warm_s, "s"),
        Figure("query: gmv_by_day over June (30 of 365 partitions read)", month_s, "s"),
    ]
    section.notes += [
        "Both answers equal the GMV summed while generating (amount_ugx - fare_ugx, by EAT day).",
        "DuckDB reads gzipped JSON lines through read_json with hive partitioning; the dt and type "
        "filters prune partitions, so a month reads a twelfth of the payments' objects. On AWS the "
        "same SQL runs on Athena (partition projection prunes the same way).",
    ]
    return section
