"""Reports (logic; no boto3): requested over HTTP, built by the reports queue's worker.

- **Request** (``POST /reports``): ``sales`` and ``payouts`` are a farmer's own (an admin's: every
  farmer's), ``market_prices`` anyone's who is signed in. The report is stored ``queued`` and a
  message naming it goes on the reports queue.
- **Build** (the worker): ``queued`` -> ``running`` by a conditional write (a redelivered message
  for a report already running, ready or failed does nothing: no rebuild, no second file), the
  file is written to ``reports/<owner>/<id>.<ext>`` (the same key on a retry), then
  ``running`` -> ``ready`` with its ``rows`` and ``total_ugx``. A report that cannot be built for a
  reason the user can act on (:class:`ReportProblem`) is ``failed`` with that message; an
  unexpected error is retried by the queue and, on the last attempt, ``failed`` with a generic
  message (never the exception's text).
- **Sources**: sales from the event lake (``lake/sql/sales_by_order.sql``: ``OrderCompleted``,
  one row per order, farmer-filtered for a farmer) with gross, Soko's commission (the payments
  rule, :func:`soko.payments.public.commission_ugx`) and net; payouts from the payments ledger
  (:meth:`soko.payments.public.PaymentsReads.farmer_ledger`), an admin's over every farmer from the
  lake's ``PayoutSent`` events (``lake/sql/payouts_sent.sql``); market prices from the lake's traded
  volume by day (``lake/sql/market_volume_by_day.sql``) by ISO week with the WFP market's price
  (``soko.ml.public``).
- **Totals**: a sales report's ``total_ugx`` is the farmers' net (gross less commission), which is
  what the ledger's ``payout`` entries credit to ``farmer:<id>``; a payouts report's is what was
  paid out to mobile money (``settled:<id>``); a market report's is the traded value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from soko.analytics.events import WeeklyReportReady
from soko.analytics.lake import Lake
from soko.analytics.models import Report, ReportFormat, ReportKind, period_key
from soko.shared import clock, crops, ids, places
from soko.shared.errors import BadRequest, Forbidden, NotFound
from soko.shared.identity import Caller
from soko.shared.notices import ADMINS_INBOX, Texts

MAX_DAYS = 366
FIRST_DAY = date(2020, 1, 1)
ADMINS = "admins"  # the owner of the scheduled weekly reports
DOWNLOAD_SECONDS = 15 * 60
GENERIC_FAILURE = "This report could not be built. Please request it again later."
CONTENT_TYPES: dict[str, str] = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def _district(value: str) -> str:
    try:
        return places.district(value)
    except Exception as err:  # Unprocessable: a validation error of the field (422 with its name)
        raise ValueError(f"'{value}' is not a Ugandan district we know") from err


CropName = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(crops.catalogue_id)]
DistrictName = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_district)]


class ReportRequest(BaseModel):
    """``POST /reports``: at most 366 days, ``to_date`` not in the future (East Africa Time)."""

    model_config = ConfigDict(extra="forbid")

    kind: ReportKind
    format: ReportFormat
    from_date: date = Field(description="first day (EAT), inclusive")
    to_date: date = Field(description="last day (EAT), inclusive; at most 366 days after from_date")
    crop: CropName | None = Field(None, description="any crop name; stored as its catalogue id")
    district: DistrictName | None = Field(None, description="a Ugandan district")

    @model_validator(mode="after")
    def _dates(self) -> ReportRequest:
        if self.from_date < FIRST_DAY:
            raise ValueError(f"from_date is before Soko kept records ({FIRST_DAY.isoformat()})")
        if self.to_date < self.from_date:
            raise ValueError("to_date is before from_date")
        if (self.to_date - self.from_date).days + 1 > MAX_DAYS:
            raise ValueError(f"a report covers at most {MAX_DAYS} days")
        return self


class InvalidReport(BadRequest):
    code = "INVALID_REPORT"


class ReportNotFound(NotFound):
    code = "REPORT_NOT_FOUND"


class ReportProblem(Exception):
    """A report that cannot be built, with a message safe to show its owner."""


class StoredReport(Report):
    """A report as stored: whose sales or payouts it covers (``""``: every farmer's, an admin's)."""

    farmer_id: str = ""

    def public(self) -> Report:
        return Report.model_validate(self.model_dump(exclude={"farmer_id"}))


class ReportPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[Report]
    next_cursor: str | None = None


# ---------------------------------------------------------------------------- ports
class ReportStore(Protocol):
    def create(self, report: StoredReport) -> bool: ...
    def get(self, report_id: str) -> StoredReport | None: ...
    def page(self, owner: str, limit: int, cursor: str | None) -> tuple[list[StoredReport], str | None]: ...
    def claim(self, report_id: str, now: str, stale_before: str) -> bool: ...
    def finish(self, report_id: str, rows: int, total_ugx: int, now: str) -> bool: ...
    def fail(self, report_id: str, message: str, now: str) -> bool: ...
    def requeue(self, report_id: str) -> None: ...


class ReportFiles(Protocol):
    def put(self, key: str, body: bytes, content_type: str, filename: str) -> None: ...
    def url(self, key: str, filename: str, seconds: int) -> str: ...


class ReportQueue(Protocol):
    def send(self, report_id: str) -> None: ...


class LedgerLine(Protocol):
    """One ledger entry of the farmer's (:class:`soko.payments.public.LedgerLine`)."""

    @property
    def date(self) -> str: ...
    @property
    def order_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def gross_ugx(self) -> int: ...
    @property
    def fee_ugx(self) -> int: ...
    @property
    def net_ugx(self) -> int: ...
    @property
    def paid_out_ugx(self) -> int: ...


class Ledger(Protocol):
    def farmer_ledger(self, farmer_id: str, from_date: date, to_date: date) -> Sequence[LedgerLine]: ...


class Prices(Protocol):
    def wfp_price(self, crop: str, district: str | None, on: date) -> int | None: ...


@dataclass
class ReportsDeps:
    store: ReportStore
    files: ReportFiles | None = None
    queue: ReportQueue | None = None
    lake: Callable[[], Lake] | None = None
    ledger: Callable[[], Ledger] | None = None
    prices: Callable[[], Prices] | None = None
    commission: Callable[[int], int] = field(default=lambda gross: 0)
    notify: Callable[[Report], None] | None = None


# ---------------------------------------------------------------------------- requests
def today() -> date:
    return clock.now().astimezone(clock.EAT).date()


def file_key(report: Report) -> str:
    return f"reports/{report.owner}/{report.id}.{report.format}"


def filename(report: Report) -> str:
    return f"soko-{report.kind.replace('_', '-')}-{report.from_date}-{report.to_date}.{report.format}"


def request_report(
    caller: Caller, request: ReportRequest, deps: ReportsDeps, *, owner: str | None = None
) -> Report:
    """Store a queued report for the caller (``owner`` ``admins`` for the schedule) and queue it."""
    if request.kind in ("sales", "payouts") and not (caller.can_sell() or caller.is_admin):
        raise Forbidden("Sales and payouts reports are for farmers and admins.", details={"field": "kind"})
    if request.to_date > today():
        raise InvalidReport("to_date is in the future.", details={"field": "to_date"})
    if request.kind == "market_prices" and request.crop is None:
        raise InvalidReport("A market prices report needs a crop.", details={"field": "crop"})
    report = StoredReport(
        id=ids.ulid(),
        owner=owner or caller.user_id,
        farmer_id="" if caller.is_admin or request.kind == "market_prices" else caller.user_id,
        kind=request.kind,
        format=request.format,
        from_date=request.from_date,
        to_date=request.to_date,
        crop=request.crop,
        district=request.district,
        status="queued",
        created_at=clock.now_iso(),
    )
    deps.store.create(report)
    assert deps.queue is not None
    deps.queue.send(report.id)
    return report.public()


def _visible(caller: Caller, report: StoredReport | None) -> Report:
    """The caller's own report (an admin: any); to anyone else it does not exist."""
    if report is None or not (caller.is_admin or report.owner == caller.user_id):
        raise ReportNotFound("No such report.", details={"field": "id"})
    return report.public()


def get_report(caller: Caller, report_id: str, deps: ReportsDeps) -> Report:
    """The report, with a presigned ``download_url`` (15 minutes) only while it is ready."""
    report = _visible(caller, deps.store.get(report_id))
    if report.status == "ready" and deps.files is not None:
        report = report.model_copy(
            update={"download_url": deps.files.url(file_key(report), filename(report), DOWNLOAD_SECONDS)}
        )
    return report


def list_reports(
    caller: Caller, owner: Literal["me", "admins"], limit: int, cursor: str | None, deps: ReportsDeps
) -> ReportPage:
    """The caller's reports, newest first; ``owner=admins`` (admins only) the scheduled ones."""
    if owner == "admins" and not caller.is_admin:
        raise Forbidden("Only admins read the scheduled reports.", details={"field": "owner"})
    items, next_cursor = deps.store.page(ADMINS if owner == "admins" else caller.user_id, limit, cursor)
    return ReportPage(items=[i.public() for i in items], next_cursor=next_cursor)


# ---------------------------------------------------------------------------- building
class Table(BaseModel):
    """A built report before it is rendered: its columns, rows, totals row and a chart's series."""

    title: str
    columns: list[str]
    rows: list[list[str | int]]
    totals: dict[str, int]
    total_ugx: int
    chart_title: str
    chart: list[tuple[str, int]]  # label, value


def _week(day: str) -> str:
    moment = datetime.fromisoformat(day).replace(hour=12, tzinfo=clock.EAT)
    return period_key("week", moment)


SALES_COLUMNS = ["date", "order_id", "farmer_id", "crop", "district", "quantity_kg", "price_per_kg_ugx",
                 "gross_ugx", "commission_ugx", "net_ugx"]  # fmt: skip


def sales_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per order (the lake may hold an event twice: delivery is at least once)."""
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen.setdefault(str(row["order_id"]), row)
    return sorted(seen.values(), key=lambda r: (str(r["day"]), str(r["order_id"])))


def build_sales(report: Report, farmer_id: str, deps: ReportsDeps) -> Table:
    assert deps.lake is not None
    params: list[str | int] = [report.from_date.isoformat(), report.to_date.isoformat()]
    for value in (farmer_id, report.crop or "", report.district or ""):
        params += [value, value]
    found = sales_rows(deps.lake().query("sales_by_order", params))
    rows: list[list[str | int]] = []
    gross = fee = 0
    weeks: dict[str, int] = {}
    for r in found:
        amount = int(r["total_ugx"])
        commission = deps.commission(amount)
        gross, fee = gross + amount, fee + commission
        day = str(r["day"])[:10]
        weeks[_week(day)] = weeks.get(_week(day), 0) + amount - commission
        kg = str(Decimal(str(r["quantity_kg"])).quantize(Decimal("0.001")))
        rows.append([day, str(r["order_id"]), str(r["farmer_id"]), str(r["crop"]), str(r["district"]), kg,
                     int(r["price_per_kg_ugx"]), amount, commission, amount - commission])  # fmt: skip
    return Table(
        title="Sales",
        columns=SALES_COLUMNS,
        rows=rows,
        totals={"gross_ugx": gross, "commission_ugx": fee, "net_ugx": gross - fee},
        total_ugx=gross - fee,
        chart_title="Net sales by week (UGX)",
        chart=_weeks(report, weeks),
    )


PAYOUT_COLUMNS = ["date", "order_id", "kind", "reference", "gross_ugx", "fee_ugx", "net_ugx", "paid_out_ugx"]


ALL_PAYOUT_COLUMNS = ["date", "payout_id", "order_id", "farmer_id", "batch_id", "paid_out_ugx"]


def build_all_payouts(report: Report, deps: ReportsDeps) -> Table:
    """An admin's payouts report: every farmer's payouts sent, from the lake (``PayoutSent``); the
    ledger has no query across every farmer's account, and the lake is where such questions go."""
    assert deps.lake is not None
    found = deps.lake().query("payouts_sent", [report.from_date.isoformat(), report.to_date.isoformat()])
    seen: dict[str, dict[str, Any]] = {}
    for row in found:
        seen.setdefault(str(row["payout_id"]), row)
    rows: list[list[str | int]] = []
    weeks: dict[str, int] = {}
    for r in sorted(seen.values(), key=lambda r: (str(r["day"]), str(r["payout_id"]))):
        day, amount = str(r["day"])[:10], int(r["net_ugx"])
        weeks[_week(day)] = weeks.get(_week(day), 0) + amount
        rows.append(
            [day, str(r["payout_id"]), str(r["order_id"]), str(r["farmer_id"]), str(r["batch_id"]), amount]
        )
    total = sum(int(r[5]) for r in rows)
    return Table(
        title="Payouts",
        columns=ALL_PAYOUT_COLUMNS,
        rows=rows,
        totals={"paid_out_ugx": total},
        total_ugx=total,
        chart_title="Paid out by week (UGX)",
        chart=_weeks(report, weeks),
    )


def build_payouts(report: Report, farmer_id: str, deps: ReportsDeps) -> Table:
    if not farmer_id:
        return build_all_payouts(report, deps)
    assert deps.ledger is not None
    ledger = deps.ledger()
    lines = ledger.farmer_ledger(farmer_id, report.from_date, report.to_date)
    rows: list[list[str | int]] = []
    weeks: dict[str, int] = {}
    for line in lines:
        if line.paid_out_ugx:
            weeks[_week(line.date)] = weeks.get(_week(line.date), 0) + line.paid_out_ugx
        rows.append([line.date, line.order_id, line.kind, line.reference, line.gross_ugx, line.fee_ugx,
                     line.net_ugx, line.paid_out_ugx])  # fmt: skip
    totals = {
        "gross_ugx": sum(int(r[4]) for r in rows),
        "fee_ugx": sum(int(r[5]) for r in rows),
        "net_ugx": sum(int(r[6]) for r in rows),
        "paid_out_ugx": sum(int(r[7]) for r in rows),
    }
    return Table(
        title="Payouts",
        columns=PAYOUT_COLUMNS,
        rows=rows,
        totals=totals,
        total_ugx=totals["paid_out_ugx"],
        chart_title="Paid out by week (UGX)",
        chart=_weeks(report, weeks),
    )


MARKET_COLUMNS = ["week", "orders", "kg", "average_price_ugx", "traded_value_ugx", "wfp_price_ugx"]


def build_market(report: Report, deps: ReportsDeps) -> Table:
    assert deps.lake is not None and report.crop is not None
    params: list[str | int] = [report.from_date.isoformat(), report.to_date.isoformat(), report.crop]
    params += [report.district or "", report.district or ""]
    weeks: dict[str, list[Decimal]] = {}
    for r in deps.lake().query("market_volume_by_day", params):
        week = weeks.setdefault(_week(str(r["day"])[:10]), [Decimal(0), Decimal(0), Decimal(0)])
        week[0] += int(r["orders"])
        week[1] += Decimal(str(r["kg"]))
        week[2] += int(r["value_ugx"])
    prices = deps.prices() if deps.prices else None
    rows: list[list[str | int]] = []
    for key in sorted(weeks):
        orders, kg, value = weeks[key]
        average = int((value / kg).quantize(Decimal(1))) if kg else 0
        start = date.fromisocalendar(int(key[:4]), int(key[6:]), 1)
        wfp = prices.wfp_price(report.crop, report.district, start) if prices else None
        rows.append([key, int(orders), str(kg.quantize(Decimal("0.001"))), average, int(value),
                     "" if wfp is None else wfp])  # fmt: skip
    return Table(
        title="Market prices",
        columns=MARKET_COLUMNS,
        rows=rows,
        totals={"orders": sum(int(r[1]) for r in rows), "traded_value_ugx": sum(int(r[4]) for r in rows)},
        total_ugx=sum(int(r[4]) for r in rows),
        chart_title="Average price by week (UGX per kg)",
        chart=[(str(r[0])[5:], int(r[3])) for r in rows],
    )


def _weeks(report: Report, values: dict[str, int]) -> list[tuple[str, int]]:
    """Every ISO week of the report's period, with its value (0 when none)."""
    keys: list[str] = []
    day = report.from_date
    while day <= report.to_date:
        key = _week(day.isoformat())
        if not keys or keys[-1] != key:
            keys.append(key)
        day += timedelta(days=1)
    return [(k[5:], values.get(k, 0)) for k in keys]


def build_table(report: StoredReport, deps: ReportsDeps) -> Table:
    if report.kind == "sales":
        return build_sales(report, report.farmer_id, deps)
    if report.kind == "payouts":
        return build_payouts(report, report.farmer_id, deps)
    return build_market(report, deps)


def build(report_id: str, deps: ReportsDeps, *, last_attempt: bool, now: datetime | None = None) -> str:
    """Build one report (the worker). Answers what happened: ``built``, ``skipped`` (already
    running elsewhere, ready or failed), ``failed``. Raises to have the queue retry."""
    from soko.analytics import report_render  # noqa: PLC0415  (fpdf2 only here)

    assert deps.files is not None
    moment = now or clock.now()
    report = deps.store.get(report_id)
    if report is None:
        return "skipped"  # a message for a report that does not exist (never written): nothing to do
    stale = clock.iso(moment - timedelta(seconds=STALE_SECONDS))
    if report.status in ("ready", "failed") or not deps.store.claim(report_id, clock.iso(moment), stale):
        return "skipped"
    try:
        table = build_table(report, deps)
        body = report_render.render(report, table)
        if len(body) > MAX_BYTES:
            raise ReportProblem("This report is too large. Choose a shorter period or a crop or a district.")
        deps.files.put(file_key(report), body, CONTENT_TYPES[report.format], filename(report))
        if deps.notify is not None and report.owner == ADMINS and report.format == "pdf":
            deps.notify(report.public())  # before "ready": a failed publish is retried with the build
    except ReportProblem as problem:
        deps.store.fail(report_id, str(problem), clock.now_iso())
        return "failed"
    except Exception:
        if last_attempt:
            deps.store.fail(report_id, GENERIC_FAILURE, clock.now_iso())
            return "failed"
        deps.store.requeue(report_id)
        raise
    deps.store.finish(report_id, len(table.rows), table.total_ugx, clock.now_iso())
    return "built"


STALE_SECONDS = 360  # the queue's visibility timeout: a running report older than this was abandoned
MAX_BYTES = 50_000_000


# ---------------------------------------------------------------------------- the weekly report
def weekly_notices(report: Report) -> list[WeeklyReportReady]:
    """The notice that the weekly report is ready, to the admins' shared inbox (English and Luganda)."""
    period = f"{report.from_date.isoformat()} - {report.to_date.isoformat()}"
    title = Texts(en="Weekly sales report ready", lg="Lipoota ya wiiki ey'ebyatundiddwa etuuse")
    body = Texts(
        en=f"The sales report for {period} is ready in Admin > Reports.",
        lg=f"Lipoota y'ebyatundiddwa mu {period} etuuse. Giri mu Admin > Lipoota.",
    )
    return [
        WeeklyReportReady(
            notice_id=f"report-ready-{report.id}",
            user_id=ADMINS_INBOX,
            category="digest",
            title=title,
            body=body,
            sms=body,
            data={"report_id": report.id},
        )
    ]


def last_week(now: datetime | None = None) -> tuple[date, date]:
    """The ISO week before the one ``now`` is in (EAT): Monday to Sunday."""
    local = (now or clock.now()).astimezone(clock.EAT).date()
    monday = local - timedelta(days=local.weekday() + 7)
    return monday, monday + timedelta(days=6)


FORMATS: tuple[ReportFormat, ...] = ("pdf", "csv")


def weekly(deps: ReportsDeps, now: datetime | None = None) -> list[Report]:
    """The past ISO week's sales report for the admins, as PDF and CSV (ids made from the week, so
    a repeated schedule run makes no second pair)."""
    first, last = last_week(now)
    week = period_key("week", datetime(first.year, first.month, first.day, 12, tzinfo=clock.EAT))
    made = []
    for fmt in FORMATS:
        report = StoredReport(
            id=f"WEEKLY-{week}-{fmt.upper()}",
            owner=ADMINS,
            kind="sales",
            format=fmt,
            from_date=first,
            to_date=last,
            status="queued",
            created_at=clock.now_iso(),
        )
        if deps.store.create(report):  # a second run of the schedule for the same week: no new report
            assert deps.queue is not None
            deps.queue.send(report.id)
        made.append(report.public())
    return made
