"""The reports' SQL (lake/sql/sales_by_order.sql, market_volume_by_day.sql) run by DuckDB over
events in the lake's layout: the filters, the day range (EAT partitions) and the parameters' order,
and that the files stay portable (only what Athena and DuckDB both have)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from soko.analytics.lake import sql
from support.events import order_detail
from support.reports_lake import DuckLake, lake_event, write_events

NAMES = ("sales_by_order", "market_volume_by_day")


def _lake(tmp_path: Path) -> DuckLake:
    write_events(
        tmp_path,
        [
            # 22:30 UTC on the 30th is the 1st of December in Kampala: the EAT day's partition
            lake_event(
                "soko.orders", "OrderCompleted", order_detail("O1", farmer_id="F1"), "2026-11-30T22:30:00Z"
            ),
            lake_event(
                "soko.orders",
                "OrderCompleted",
                order_detail("O2", farmer_id="F2", district="Mbale", quantity_kg="12.500", total_ugx=15_000),
                "2026-11-29T09:00:00Z",
            ),
            lake_event(
                "soko.orders",
                "OrderCompleted",
                order_detail("O3", farmer_id="F1", crop="beans"),
                "2026-11-28T09:00:00Z",
            ),
            lake_event(
                "soko.orders", "OrderCancelled", order_detail("O4", farmer_id="F1"), "2026-11-29T09:00:00Z"
            ),
            lake_event("soko.payments", "PaymentCompleted", {"amount_ugx": 1}, "2026-11-29T09:00:00Z"),
        ],
    )
    return DuckLake(tmp_path)


def sales(
    lake: DuckLake, start: str, end: str, farmer: str = "", crop: str = "", district: str = ""
) -> list[str]:
    rows = lake.query("sales_by_order", [start, end, farmer, farmer, crop, crop, district, district])
    return [f"{r['day']}:{r['order_id']}" for r in rows]


def test_sales_filters_by_farmer_crop_district_and_eat_day(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    assert sales(lake, "2026-11-01", "2026-12-31") == ["2026-11-28:O3", "2026-11-29:O2", "2026-12-01:O1"]
    assert sales(lake, "2026-11-01", "2026-11-30") == ["2026-11-28:O3", "2026-11-29:O2"]
    assert sales(lake, "2026-11-01", "2026-12-31", farmer="F1") == ["2026-11-28:O3", "2026-12-01:O1"]
    assert sales(lake, "2026-11-01", "2026-12-31", crop="beans") == ["2026-11-28:O3"]
    assert sales(lake, "2026-11-01", "2026-12-31", district="Mbale") == ["2026-11-29:O2"]
    row = lake.query("sales_by_order", ["2026-11-29", "2026-11-29", "", "", "", "", "", ""])[0]
    assert (row["total_ugx"], row["price_per_kg_ugx"], row["quantity_kg"], row["farmer_id"]) == (
        15_000,
        1_200,
        "12.500",
        "F2",
    )


def test_market_volume_by_day(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    rows = lake.query("market_volume_by_day", ["2026-11-01", "2026-12-31", "maize_grain", "", ""])
    assert [(r["day"], r["orders"], Decimal(r["kg"]), r["value_ugx"]) for r in rows] == [
        ("2026-11-29", 1, Decimal("12.5"), 15_000),
        ("2026-12-01", 1, Decimal(100), 120_000),
    ]
    rows = lake.query("market_volume_by_day", ["2026-11-01", "2026-12-31", "maize_grain", "Gulu", "Gulu"])
    assert [r["day"] for r in rows] == ["2026-12-01"]


def test_the_sql_is_portable() -> None:
    for name in NAMES:
        text = sql(name)
        assert "::" not in text and "json_extract_string" not in text and "date_trunc" not in text.lower()
        placeholders = text.count("?")
        assert placeholders == {"sales_by_order": 8, "market_volume_by_day": 5}[name]
        assert re.search(r"\bFROM events\b", text)
