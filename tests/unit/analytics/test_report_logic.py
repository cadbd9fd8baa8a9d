"""Reports' logic with in-memory ports: requests validated, owners only, a download link only when
ready, the worker idempotent (a redelivery neither rebuilds nor rewrites), failures marked with a
user-safe message, and the SQL run for real by DuckDB over a lake in a temporary directory."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from soko.analytics import report_render, reports
from soko.analytics.reports import ReportRequest, ReportsDeps, StoredReport
from soko.payments.public import LedgerLine, commission_ugx
from soko.shared.clock import EAT
from soko.shared.errors import BadRequest, Forbidden, NotFound
from soko.shared.identity import Caller
from support.events import order_detail
from support.reports_lake import DuckLake, lake_event, write_events

FARMER = Caller(user_id="01JD00000000000000000000F1", role="farmer", email="f@example.com")
OTHER = Caller(user_id="01JD00000000000000000000F2", role="farmer", email="g@example.com")
BUYER = Caller(user_id="01JD00000000000000000000B1", role="buyer", email="b@example.com")
ADMIN = Caller(user_id="01JD00000000000000000000A1", role="admin", email="a@example.com")


class Store:
    def __init__(self) -> None:
        self.items: dict[str, StoredReport] = {}
        self.writes: list[str] = []

    def create(self, report: StoredReport) -> bool:
        if report.id in self.items:
            return False
        self.items[report.id] = report
        return True

    def get(self, report_id: str) -> StoredReport | None:
        return self.items.get(report_id)

    def page(self, owner: str, limit: int, cursor: str | None) -> tuple[list[StoredReport], str | None]:
        mine = sorted((r for r in self.items.values() if r.owner == owner), key=lambda r: r.created_at)
        return list(reversed(mine))[:limit], None

    def _set(self, report_id: str, expect: set[str], **changes: Any) -> bool:
        report = self.items[report_id]
        if report.status not in expect:
            return False
        self.items[report_id] = report.model_copy(update=changes)
        self.writes.append(str(changes.get("status")))
        return True

    def claim(self, report_id: str, now: str, stale_before: str) -> bool:
        return self._set(report_id, {"queued"}, status="running")

    def finish(self, report_id: str, rows: int, total_ugx: int, now: str) -> bool:
        return self._set(report_id, {"running"}, status="ready", rows=rows, total_ugx=total_ugx, ready_at=now)

    def fail(self, report_id: str, message: str, now: str) -> bool:
        return self._set(report_id, {"running"}, status="failed", error=message)

    def requeue(self, report_id: str) -> None:
        self._set(report_id, {"running"}, status="queued")


class Files:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.puts = 0

    def put(self, key: str, body: bytes, content_type: str, filename: str) -> None:
        self.puts += 1
        self.objects[key] = body

    def url(self, key: str, filename: str, seconds: int) -> str:
        return f"https://files.example/{key}?expires={seconds}"


class Queue:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, report_id: str) -> None:
        self.sent.append(report_id)


class Ledger:
    def __init__(self, lines: list[LedgerLine]) -> None:
        self.lines = lines

    def farmer_ledger(self, farmer_id: str, from_date: date, to_date: date) -> list[LedgerLine]:
        return [line for line in self.lines if from_date.isoformat() <= line.date <= to_date.isoformat()]


class Prices:
    def wfp_price(self, crop: str, district: str | None, on: date) -> int | None:
        return 1_100


def today() -> date:
    return datetime.now(EAT).date()


@pytest.fixture
def lake_dir(tmp_path: Path) -> Path:
    day = today()
    t = f"{day.isoformat()}T06:00:00Z"
    events = [
        lake_event("soko.orders", "OrderCompleted", order_detail("O1", farmer_id=FARMER.user_id), t),
        lake_event(
            "soko.orders",
            "OrderCompleted",
            order_detail("O2", farmer_id=FARMER.user_id, total_ugx=50_001, quantity_kg="41.667"),
            t,
        ),
        lake_event("soko.orders", "OrderCompleted", order_detail("O3", farmer_id=OTHER.user_id), t),
        lake_event("soko.orders", "OrderPlaced", order_detail("O4", farmer_id=FARMER.user_id), t),
        *(
            lake_event(
                "soko.payments",
                "PayoutSent",
                {
                    "payout_id": f"P{i}",
                    "order_id": f"O{i}",
                    "farmer_id": farmer,
                    "net_ugx": net,
                    "batch_id": "B1",
                    "settled_at": t,
                },
                t,
            )
            for i, farmer, net in ((1, FARMER.user_id, 114_000), (3, OTHER.user_id, 47_501))
        ),
    ]
    events.append({**events[0], "id": "a-redelivered-copy"})  # Firehose delivers at least once
    write_events(tmp_path, events)
    return tmp_path


@pytest.fixture
def deps(lake_dir: Path) -> ReportsDeps:
    lake = DuckLake(lake_dir)
    d = today().isoformat()
    ledger = Ledger(
        [
            LedgerLine(
                date=d,
                at=f"{d}T06:00:00Z",
                order_id="O1",
                kind="sale",
                reference="P1",
                gross_ugx=120_000,
                fee_ugx=6_000,
                net_ugx=114_000,
                paid_out_ugx=0,
            ),
            LedgerLine(
                date=d,
                at=f"{d}T07:00:00Z",
                order_id="O1",
                kind="paid_out",
                reference="P1",
                gross_ugx=0,
                fee_ugx=0,
                net_ugx=-114_000,
                paid_out_ugx=114_000,
            ),
        ]
    )
    return ReportsDeps(
        store=Store(),
        files=Files(),
        queue=Queue(),
        lake=lambda: lake,
        ledger=lambda: ledger,
        prices=Prices,
        commission=lambda gross: commission_ugx(gross, __import__("decimal").Decimal(5)),
    )


def request(**fields: Any) -> ReportRequest:
    d = today()
    body = {
        "kind": "sales",
        "format": "csv",
        "from_date": (d - timedelta(days=6)).isoformat(),
        "to_date": d.isoformat(),
    }
    return ReportRequest.model_validate({**body, **fields})


def built(deps: ReportsDeps, caller: Caller = FARMER, **fields: Any) -> StoredReport:
    report = reports.request_report(caller, request(**fields), deps)
    assert reports.build(report.id, deps, last_attempt=False) == "built"
    found = deps.store.get(report.id)
    assert found is not None
    return found


def test_a_farmers_sales_csv_has_a_header_one_row_per_order_and_the_totals(deps: ReportsDeps) -> None:
    report = built(deps)
    assert report.status == "ready" and report.rows == 2
    assert report.total_ugx == (120_000 - 6_000) + (50_001 - 2_500)
    body = deps.files.objects[f"reports/{FARMER.user_id}/{report.id}.csv"]  # type: ignore[union-attr]
    text = body.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == reports.SALES_COLUMNS
    assert [r[1] for r in rows[1:-1]] == ["O1", "O2"]  # the other farmer's and the duplicate are not here
    assert rows[-1][0] == "total"
    total = dict(zip(rows[0], rows[-1], strict=True))
    assert (total["gross_ugx"], total["commission_ugx"], total["net_ugx"]) == ("170001", "8500", "161501")
    assert rows[2][5] == "41.667"


def test_an_admins_sales_report_covers_every_farmer(deps: ReportsDeps) -> None:
    report = built(deps, ADMIN)
    assert report.rows == 3 and report.farmer_id == ""


def test_the_pdf_has_the_title_the_totals_and_a_chart(deps: ReportsDeps) -> None:
    report = built(deps, format="pdf")
    body = deps.files.objects[f"reports/{FARMER.user_id}/{report.id}.pdf"]  # type: ignore[union-attr]
    assert body.startswith(b"%PDF-")
    table = reports.build_table(report, deps)
    raw = report_render.pdf(report, table, compress=False)
    assert b"Sales report" in raw and b"UGX 161,501" in raw and b"UGX 8,500" in raw
    assert b"Net sales by week" in raw
    # the chart: an axis (two stroked lines) and one filled rectangle per week with sales
    bars = re.findall(rb"[-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ re f", raw)
    assert len(bars) == sum(1 for _, value in table.chart if value > 0) == 1
    assert table.chart[-1][1] == 161_501


def test_payouts_come_from_the_ledger(deps: ReportsDeps) -> None:
    report = built(deps, kind="payouts")
    assert report.total_ugx == 114_000 and report.rows == 2


def test_an_admins_payouts_report_covers_every_farmer_from_the_lake(deps: ReportsDeps) -> None:
    report = built(deps, ADMIN, kind="payouts")
    assert report.farmer_id == "" and report.rows == 2 and report.total_ugx == 114_000 + 47_501
    body = deps.files.objects[f"reports/{ADMIN.user_id}/{report.id}.csv"]  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert {r["farmer_id"] for r in rows if r["payout_id"]} == {FARMER.user_id, OTHER.user_id}


def test_market_prices_by_week_with_the_wfp_price(deps: ReportsDeps) -> None:
    report = built(deps, BUYER, kind="market_prices", crop="maize", district="gulu")
    assert report.crop == "maize_grain" and report.district == "Gulu"
    assert report.total_ugx == 120_000 * 2 + 50_001 and (report.rows or 0) >= 1
    body = deps.files.objects[f"reports/{BUYER.user_id}/{report.id}.csv"]  # type: ignore[union-attr]
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert rows[0]["wfp_price_ugx"] == "1100"


def test_a_redelivered_message_neither_rebuilds_nor_rewrites(deps: ReportsDeps) -> None:
    report = built(deps)
    files, store = deps.files, deps.store
    assert isinstance(files, Files) and isinstance(store, Store)
    puts, writes = files.puts, list(store.writes)
    assert reports.build(report.id, deps, last_attempt=False) == "skipped"
    assert reports.build(report.id, deps, last_attempt=True) == "skipped"
    assert (files.puts, store.writes) == (puts, writes)
    assert reports.build("NO-SUCH-REPORT", deps, last_attempt=False) == "skipped"


def test_a_passing_error_is_retried_then_failed_with_a_safe_message(deps: ReportsDeps) -> None:
    def broken() -> Any:
        raise RuntimeError("Athena: internal detail s3://secret-bucket")

    deps.lake = broken
    report = reports.request_report(FARMER, request(), deps)
    with pytest.raises(RuntimeError):
        reports.build(report.id, deps, last_attempt=False)
    assert deps.store.get(report.id).status == "queued"  # type: ignore[union-attr]
    assert reports.build(report.id, deps, last_attempt=True) == "failed"
    failed = reports.get_report(FARMER, report.id, deps)
    assert failed.status == "failed" and failed.error == reports.GENERIC_FAILURE
    assert failed.download_url is None and "secret" not in failed.error


def test_the_download_url_only_when_ready_and_only_for_the_owner(deps: ReportsDeps) -> None:
    report = reports.request_report(FARMER, request(), deps)
    assert reports.get_report(FARMER, report.id, deps).download_url is None
    reports.build(report.id, deps, last_attempt=False)
    ready = reports.get_report(FARMER, report.id, deps)
    assert ready.download_url and ready.download_url.endswith("?expires=900")
    assert reports.get_report(ADMIN, report.id, deps).status == "ready"
    with pytest.raises(NotFound):
        reports.get_report(OTHER, report.id, deps)
    with pytest.raises(NotFound):
        reports.get_report(FARMER, "01JD0000000000000000000000", deps)


def test_requests_are_validated() -> None:
    d = today()
    for bad in (
        {"from_date": (d - timedelta(days=366)).isoformat()},  # 367 days
        {"from_date": d.isoformat(), "to_date": (d - timedelta(days=1)).isoformat()},
        {"kind": "everything"},
        {"format": "xlsx"},
        {"crop": "unobtainium"},
        {"district": "Atlantis"},
        {"from_date": "2019-12-31"},
        {"extra": 1},
    ):
        with pytest.raises(ValidationError):
            request(**bad)
    assert request(from_date=(d - timedelta(days=365)).isoformat()).from_date  # 366 days is fine


def test_who_may_ask_for_what(deps: ReportsDeps) -> None:
    with pytest.raises(Forbidden):
        reports.request_report(BUYER, request(), deps)
    with pytest.raises(BadRequest):
        reports.request_report(BUYER, request(kind="market_prices"), deps)  # no crop
    with pytest.raises(BadRequest):
        reports.request_report(FARMER, request(to_date=(today() + timedelta(days=1)).isoformat()), deps)
    with pytest.raises(Forbidden):
        reports.list_reports(FARMER, "admins", 10, None, deps)


def test_the_weekly_report_is_the_past_iso_week_once(deps: ReportsDeps) -> None:
    monday = datetime(2026, 11, 30, 6, 0, tzinfo=EAT)
    first, last = reports.last_week(monday)
    assert (first, last) == (date(2026, 11, 23), date(2026, 11, 29))
    made = reports.weekly(deps, monday)
    assert {(r.format, r.owner, r.kind) for r in made} == {
        ("pdf", "admins", "sales"),
        ("csv", "admins", "sales"),
    }
    assert [r.id for r in made] == ["WEEKLY-2026-W48-PDF", "WEEKLY-2026-W48-CSV"]
    reports.weekly(deps, monday + timedelta(hours=1))  # the schedule ran twice
    assert isinstance(deps.queue, Queue) and deps.queue.sent == ["WEEKLY-2026-W48-PDF", "WEEKLY-2026-W48-CSV"]
    page = reports.list_reports(ADMIN, "admins", 10, None, deps)
    assert len(page.items) == 2


def test_the_admins_hear_of_the_weekly_report_once_in_both_languages(deps: ReportsDeps) -> None:
    told: list[str] = []
    deps.notify = lambda report: told.append(report.id)
    monday = datetime.now(EAT) + timedelta(days=7 - datetime.now(EAT).weekday())
    made = reports.weekly(deps, monday)
    for report in made:
        assert reports.build(report.id, deps, last_attempt=False) == "built"
    assert told == [r.id for r in made if r.format == "pdf"]
    [notice] = reports.weekly_notices(made[0])
    assert notice.user_id == "admins" and notice.notice_id == f"report-ready-{made[0].id}"  # the shared inbox
    assert notice.title.en != notice.title.lg and notice.body.lg and len(notice.sms.lg) <= 160
    assert notice.DETAIL_TYPE == "WeeklyReportReady" and notice.SOURCE == "soko.analytics"
