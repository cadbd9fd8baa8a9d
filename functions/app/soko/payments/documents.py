"""The documents farmers and buyers download: a statement as PDF (with a bar chart of the month's
net earnings by week) and a buyer's receipt, in English or Luganda (the headings, through
:data:`TEXTS`; amounts and ids are the same in both).

PDFs are drawn with fpdf2 (its core Helvetica font, its cells, lines and rectangles), imported
inside :func:`_new_pdf`: only the statement and receipt functions load it, from their own layer
(layers/reports), never another function's cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from soko.payments.receipts import Receipt
from soko.payments.statements import Statement

if TYPE_CHECKING:
    from fpdf import FPDF

SOKO = "Soko"
SOKO_LINE = "Soko - the farmers' marketplace, Uganda"

# The Luganda headings are short and plain; amounts, dates and ids are never translated.
TEXTS: dict[str, dict[str, str]] = {
    "statement": {"en": "Monthly statement", "lg": "Lipoota y'omwezi"},
    "farmer": {"en": "Farmer", "lg": "Omulimi"},
    "transporter": {"en": "Transporter", "lg": "Atambuza ebintu"},
    "month": {"en": "Month", "lg": "Omwezi"},
    "opening": {"en": "Opening balance", "lg": "Ssente ezaaliwo ku ntandikwa"},
    "closing": {"en": "Closing balance", "lg": "Ssente ezisigaddewo ku nkomerero"},
    "date": {"en": "Date", "lg": "Olunaku"},
    "order": {"en": "Order", "lg": "Oda"},
    "kind": {"en": "Movement", "lg": "Ekikoleddwa"},
    "gross": {"en": "Gross", "lg": "Omuwendo"},
    "fee": {"en": "Fee", "lg": "Ekisale"},
    "net": {"en": "Net", "lg": "Ez'ofunye"},
    "balance": {"en": "Balance", "lg": "Ebisigaddewo"},
    "totals": {"en": "Totals", "lg": "Omugatte"},
    "earned": {"en": "Sales less fees", "lg": "Ebyatundiddwa ng'oggyeko ssente za Soko"},
    "paid_out": {"en": "Paid out to your mobile money", "lg": "Ezisasuddwa ku ssimu yo"},
    "held": {"en": "Held in escrow at the month's end", "lg": "Ezikuumibwa Soko ku nkomerero y'omwezi"},
    "chart": {"en": "Net earnings by week", "lg": "Ssente z'ofunye buli wiiki"},
    "week": {"en": "Week", "lg": "Wiiki"},
    "none": {"en": "No movements this month.", "lg": "Tewali nkyukakyuka mu mwezi guno."},
    "kind.sale": {"en": "Sale", "lg": "Ekyatundiddwa"},
    "kind.paid_out": {"en": "Payout", "lg": "Ezisasuddwa"},
    "kind.refund": {"en": "Refund", "lg": "Ezizziddwayo"},
    "kind.fare": {"en": "Transport fare", "lg": "Ssente z'entambula"},
    "kind.fare_returned": {"en": "Transport fare returned", "lg": "Ssente z'entambula ezizziddwayo"},
    "kind.coop_share": {"en": "Co-op share", "lg": "Omugabo gw'ekibiina"},
    "earned_fares": {"en": "Fares earned", "lg": "Ssente z'entambula z'ofunye"},
    "fares": {"en": "Transport fares out of your sales", "lg": "Ssente z'entambula eziggiddwa ku by'otunze"},
    "produce": {"en": "Produce", "lg": "Ebirime"},
    "transport": {"en": "Transport", "lg": "Entambula"},
    "state.held": {"en": "Held in escrow", "lg": "Ezikuumibwa Soko"},
    "state.released": {"en": "Released to the farmer", "lg": "Zaweereddwa omulimi"},
    "state.refunded": {"en": "Refunded", "lg": "Zaakuzziddwayo"},
    "state.reversed": {"en": "Reversed by the provider", "lg": "Zaazziddwayo"},
    "receipt": {"en": "Payment receipt", "lg": "Lisiiti y'okusasula"},
    "item": {"en": "Item", "lg": "Ekintu"},
    "amount": {"en": "Amount", "lg": "Omuwendo"},
    "method": {"en": "Payment method", "lg": "Engeri y'okusasula"},
    "provider_ref": {"en": "Provider reference", "lg": "Ennamba y'okusasula"},
    "payment": {"en": "Payment", "lg": "Okusasula"},
    "paid_on": {"en": "Paid on", "lg": "Lwe wasasula"},
    "status": {"en": "Status", "lg": "Embeera"},
    "escrow_note": {
        "en": "Soko holds the payment until the order is delivered and confirmed.",
        "lg": "Soko ekuuma ssente okutuusa ng'ebintu bituuse era nga bikakasiddwa.",
    },
    "thanks": {"en": "Thank you for buying on Soko.", "lg": "Webale kugula ku Soko."},
}


def text(key: str, language: str) -> str:
    entry = TEXTS[key]
    return entry.get(language, entry["en"])


def kind_label(kind: str, language: str) -> str:
    return text(f"kind.{kind}", language) if f"kind.{kind}" in TEXTS else kind


def ugx(amount: int) -> str:
    return f"{amount:,}"


def _latin1(value: str) -> str:
    """The core PDF fonts know Latin-1: anything else becomes '?' (ids and amounts are ASCII)."""
    return value.encode("latin-1", "replace").decode("latin-1")


def _new_pdf(title: str, *, compress: bool) -> FPDF:
    from fpdf import FPDF  # noqa: PLC0415  (the reports layer: only these functions load it)

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_title(_latin1(title))
    pdf.set_author(SOKO)
    pdf.set_creator(SOKO)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, SOKO, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, SOKO_LINE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    return pdf


def _pair(pdf: FPDF, label: str, value: str, bold: bool = False) -> None:
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(80, 6, _latin1(label))
    pdf.set_font("Helvetica", "B" if bold else "", 10)
    pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")


_COLUMNS = (("date", 20, "L"), ("order", 56, "L"), ("kind", 24, "L"), ("gross", 24, "R"), ("fee", 20, "R"),
            ("net", 24, "R"), ("balance", 22, "R"))  # fmt: skip


def _bar_chart(pdf: FPDF, title: str, label: str, values: list[int]) -> None:
    """A small bar chart of ``values`` (one bar each), drawn with lines and filled rectangles."""
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    left, top, height, bar, gap = pdf.l_margin + 4, pdf.get_y() + 6, 36.0, 18.0, 10.0
    if top + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
        top = pdf.get_y() + 6
    base = top + height
    peak = max([*values, 1])
    pdf.set_draw_color(120, 120, 120)
    pdf.line(left, base, left + len(values) * (bar + gap) + gap, base)
    pdf.set_fill_color(46, 125, 50)
    pdf.set_font("Helvetica", "", 8)
    for n, value in enumerate(values):
        x = left + gap + n * (bar + gap)
        tall = height * max(value, 0) / peak
        if tall > 0:
            pdf.rect(x, base - tall, bar, tall, style="F")
        pdf.set_xy(x - 4, base - tall - 5)
        pdf.cell(bar + 8, 4, ugx(value), align="C")
        pdf.set_xy(x - 4, base + 1)
        pdf.cell(bar + 8, 4, _latin1(f"{label} {n + 1}"), align="C")
    pdf.set_xy(pdf.l_margin, base + 7)


def statement_pdf(s: Statement, farmer_name: str = "", *, compress: bool = True) -> bytes:
    lang = s.language
    pdf = _new_pdf(f"{text('statement', lang)} - {s.month}", compress=compress)
    _pair(pdf, text(s.payee, lang), farmer_name or s.farmer_id)
    _pair(pdf, text("month", lang), s.month)
    _pair(pdf, text("opening", lang), f"{s.currency} {ugx(s.opening_balance_ugx)}", bold=True)
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(230, 230, 230)
    for key, width, align in _COLUMNS:
        pdf.cell(width, 6, _latin1(text(key, lang)), border="B", align=align, fill=True)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    if not s.lines:
        pdf.cell(0, 6, _latin1(text("none", lang)), new_x="LMARGIN", new_y="NEXT")
    for line in s.lines:
        values = (line.date, line.order_id, kind_label(line.kind, lang), ugx(line.gross_ugx),
                  ugx(line.fee_ugx), ugx(line.net_ugx), ugx(line.balance_ugx))  # fmt: skip
        for (_, width, align), value in zip(_COLUMNS, values, strict=True):
            pdf.cell(width, 5.5, _latin1(value), align=align)
        pdf.ln()
    pdf.set_font("Helvetica", "B", 8)
    totals = (
        text("totals", lang),
        "",
        "",
        ugx(s.total_gross_ugx),
        ugx(s.total_fees_ugx),
        ugx(s.total_net_ugx),
        "",
    )
    for (_, width, align), value in zip(_COLUMNS, totals, strict=True):
        pdf.cell(width, 6, _latin1(value), border="T", align=align)
    pdf.ln(9)
    _pair(pdf, text("closing", lang), f"{s.currency} {ugx(s.closing_balance_ugx)}", bold=True)
    if s.payee == "transporter":
        _pair(pdf, text("earned_fares", lang), f"{s.currency} {ugx(s.earned_net_ugx)}")
    else:
        _pair(
            pdf,
            text("earned", lang),
            f"{s.currency} {ugx(s.earned_gross_ugx)} - {ugx(s.total_fees_ugx)} = {ugx(s.earned_net_ugx)}",
        )
    if s.fares_ugx:
        _pair(pdf, text("fares", lang), f"{s.currency} {ugx(s.fares_ugx)}")
    _pair(pdf, text("paid_out", lang), f"{s.currency} {ugx(s.paid_out_ugx)}")
    _pair(pdf, text("held", lang), f"{s.currency} {ugx(s.held_in_escrow_ugx)}")
    _bar_chart(pdf, text("chart", lang), text("week", lang), s.weekly_net())
    return bytes(pdf.output())


def receipt_pdf(r: Receipt, *, compress: bool = True) -> bytes:
    lang = r.language
    pdf = _new_pdf(text("receipt", lang), compress=compress)
    _pair(pdf, text("order", lang), r.order_id)
    _pair(pdf, text("item", lang), r.title)
    if r.fare_ugx:  # the produce and the transport as separate lines
        _pair(pdf, text("produce", lang), f"{r.currency} {ugx(r.amount_ugx - r.fare_ugx)}")
        _pair(pdf, text("transport", lang), f"{r.currency} {ugx(r.fare_ugx)}")
    _pair(pdf, text("amount", lang), f"{r.currency} {ugx(r.amount_ugx)}", bold=True)
    _pair(pdf, text("method", lang), r.method)
    _pair(pdf, text("provider_ref", lang), r.provider_reference)
    _pair(pdf, text("payment", lang), r.payment_id)
    _pair(pdf, text("paid_on", lang), r.paid_at)
    _pair(
        pdf, text("status", lang), text(f"state.{r.state}", lang) if f"state.{r.state}" in TEXTS else r.state
    )
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, _latin1(text("escrow_note", lang)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 5, _latin1(text("thanks", lang)), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
