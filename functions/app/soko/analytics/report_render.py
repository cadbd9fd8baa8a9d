"""A built report as a file: CSV (UTF-8, a header row, UGX as integers, a totals row) or PDF
(fpdf2 from the reports layer: title, period, totals, a bar chart drawn with fpdf2's rectangles and
lines, and the rows as a table).

fpdf2 is imported inside :func:`pdf` only: the reports worker is the one analytics function that
has the reports layer.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from soko.analytics.models import Report
from soko.analytics.reports import Table
from soko.shared import clock

if TYPE_CHECKING:
    from fpdf import FPDF

SOKO_LINE = "Soko - the farmers' marketplace, Uganda"
MAX_PDF_ROWS = 2000  # past this the PDF lists the first rows and points to the CSV for the rest


def render(report: Report, table: Table) -> bytes:
    return to_csv(table) if report.format == "csv" else pdf(report, table)


def to_csv(table: Table) -> bytes:
    """UTF-8 (no BOM), CRLF rows: the header, one row per line, a ``total`` row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    writer.writerow(["total", *(table.totals.get(c, "") for c in table.columns[1:])])
    return out.getvalue().encode("utf-8")


def ugx(amount: int) -> str:
    return f"UGX {amount:,}"


def _latin1(value: str) -> str:
    """The core PDF fonts know Latin-1: anything else becomes '?' (ids and amounts are ASCII)."""
    return value.encode("latin-1", "replace").decode("latin-1")


def _chart(pdf: FPDF, title: str, points: list[tuple[str, int]]) -> None:
    """A bar chart of ``points`` (label, value) with an axis, drawn with lines and filled rectangles."""
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    left, top, height = pdf.l_margin + 2, pdf.get_y() + 6, 40.0
    width = pdf.w - pdf.l_margin - pdf.r_margin - 4
    count = max(len(points), 1)
    slot = width / count
    bar = max(min(slot * 0.7, 16.0), 0.5)
    base = top + height
    peak = max([v for _, v in points] + [1])
    pdf.set_draw_color(120, 120, 120)
    pdf.line(left, top, left, base)
    pdf.line(left, base, left + width, base)
    pdf.set_fill_color(46, 125, 50)
    pdf.set_font("Helvetica", "", 6 if count > 12 else 8)
    for n, (label, value) in enumerate(points):
        x = left + n * slot + (slot - bar) / 2
        tall = height * max(value, 0) / peak
        if tall > 0:
            pdf.rect(x, base - tall, bar, tall, style="F")
        if count <= 16:
            pdf.set_xy(x - 6, base - tall - 4)
            pdf.cell(bar + 12, 4, f"{value:,}", align="C")
        if count <= 27 or n % 4 == 0:
            pdf.set_xy(x - 4, base + 1)
            pdf.cell(bar + 8, 4, _latin1(label), align="C")
    pdf.set_xy(pdf.l_margin, base + 8)


def pdf(report: Report, table: Table, *, compress: bool = True) -> bytes:
    from fpdf import FPDF  # noqa: PLC0415  (the reports layer)

    doc = FPDF(orientation="L", unit="mm", format="A4")
    doc.set_compression(compress)
    title = f"{table.title} report"
    doc.set_title(title)
    doc.set_author("Soko")
    doc.set_creator("Soko")
    doc.set_auto_page_break(auto=True, margin=12)
    doc.add_page()
    doc.set_font("Helvetica", "B", 16)
    doc.cell(0, 9, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 9)
    doc.cell(0, 5, SOKO_LINE, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10)
    scope = [f"Period: {report.from_date} to {report.to_date} (East Africa Time)"]
    if report.crop:
        scope.append(f"Crop: {report.crop}")
    if report.district:
        scope.append(f"District: {report.district}")
    scope.append(f"Generated: {clock.now_iso()}")
    for line in scope:
        doc.cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.set_font("Helvetica", "B", 11)
    doc.cell(0, 6, "Totals", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10)
    doc.cell(70, 5, "Rows")
    doc.cell(0, 5, str(len(table.rows)), new_x="LMARGIN", new_y="NEXT")
    for name, value in table.totals.items():
        doc.cell(70, 5, _latin1(name.removesuffix("_ugx").replace("_", " ").capitalize()))
        doc.cell(0, 5, ugx(value) if name.endswith("_ugx") else f"{value:,}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    _chart(doc, table.chart_title, table.chart)
    _rows(doc, table)
    return bytes(doc.output())


def _rows(doc: FPDF, table: Table) -> None:
    width = (doc.w - doc.l_margin - doc.r_margin) / len(table.columns)
    doc.set_font("Helvetica", "B", 7)
    for name in table.columns:
        doc.cell(width, 5, _latin1(name), border="B")
    doc.ln()
    doc.set_font("Helvetica", "", 7)
    for row in table.rows[:MAX_PDF_ROWS]:
        for value in row:
            text = f"{value:,}" if isinstance(value, int) else str(value)
            doc.cell(width, 4.5, _latin1(text[:34]), align="R" if isinstance(value, int) else "L")
        doc.ln()
    if len(table.rows) > MAX_PDF_ROWS:
        doc.cell(0, 5, f"... {len(table.rows) - MAX_PDF_ROWS:,} more rows in the CSV report.")
