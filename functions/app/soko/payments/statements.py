"""A farmer's (or a transporter's) money as the ledger holds it: earnings by month and the
monthly statement.

Both are computed from the farmer's ledger entries (every journal entry about one of their orders:
the buyer's payment into the order's escrow, the payout that releases it to ``farmer:<id>`` less
Soko's commission, the settlement that moves it to ``settled:<id>``, refunds and reversals), read
with one ``Query`` (``PaymentsDal.farmer_entries``). Nothing is stored twice: a balance is the sum
of the postings up to a moment, so a statement reconciles with the ledger to the shilling.

Months are Uganda's (East Africa Time, UTC+3 all year); ledger times are UTC.

The statement is of the farmer's account with Soko, ``farmer:<id>``: what Soko owes the farmer.
A sale (the ledger's ``payout`` entry, when an order completes) credits it with the order's gross
less the fee; a payout to the farmer's mobile money (the ledger's ``settlement``) debits it. The
closing balance is the opening balance plus the month's net, and equals the sum of the account's
postings up to the month's end.

Transport fares (issue 17, :mod:`soko.payments.fares`): a farmer whose proceeds paid a fare sees it
as a ``fare`` line (a fare held while the transport was on the road is a ``fare`` line too, and a
``fare_returned`` line when it comes back), and in earnings as ``fares_ugx`` (net is gross less fees
less fares). A transporter (role ``transporter``) gets the same two reads of their own account,
``transporter:<id>``, read from their entries (``TRANSPORTER#<id>``): a ``fare`` line per fare earned
(no commission) and a ``paid_out`` line per payout; their earnings' gross and net are the fares.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from soko.payments import ledger
from soko.payments.ports import Reports
from soko.shared import clock
from soko.shared.config import BaseConfig
from soko.shared.errors import BadRequest, Forbidden, PayloadTooLarge
from soko.shared.identity import Caller

EAT = clock.EAT
MAX_MONTHS = 24  # the longest earnings range
FIRST_YEAR = 2020
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

# The ledger's entry kinds as a farmer reads them (other kinds keep their ledger name).
KINDS = {
    "payment": "paid_in",
    "payout": "sale",
    "settlement": "paid_out",
    "refund": "refund",
    "reversal": "reversal",
    "fare": "fare",
    "fare_held": "fare",
    "fare_released": "fare_returned",
    "coop_split": "coop_share",  # a pooled order's shares: in for a member, out for its manager
}
FARE_KINDS = frozenset({"fare", "fare_held", "fare_released"})
Payee = Literal["farmer", "transporter"]
# The statement's lines that are earnings (the week chart, "earned"), by payee.
EARNING_LINES: dict[str, str] = {"farmer": "sale", "transporter": "fare"}


class ReportsConfig(BaseConfig):
    """The earnings, statement and receipt functions."""

    payments_table_name: str = Field(min_length=1)
    market_table_name: str = Field(min_length=1)  # the order's title, through soko.market.public
    users_table_name: str = Field(min_length=1)  # the reader's language, through soko.identity.public


class InvalidMonth(BadRequest):
    code = "INVALID_MONTH"


class StatementTooLarge(PayloadTooLarge):
    code = "STATEMENT_TOO_LARGE"


# Documents are returned inline (a PDF base64-encoded): Lambda's response limit is 6 MB, base64
# adds a third. A month of one farmer's movements is a few kilobytes per hundred orders, so this is
# a guard, not a limit anyone meets (past it, a statement would go to S3 behind a presigned URL).
INLINE_LIMIT = 4_000_000


def check_inline(body: str | bytes) -> None:
    if len(body) > INLINE_LIMIT:
        raise StatementTooLarge("This statement is too large to download at once; ask Soko's support for it.")


# ---------------------------------------------------------------------------- months
def this_month(now: datetime | None = None) -> date:
    moment = (now or clock.now()).astimezone(EAT)
    return date(moment.year, moment.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def parse_month(text: str | None, name: str, now: datetime | None = None) -> date:
    """``YYYY-MM`` as the first day of that month; 400 for anything else or a future month."""
    found = _MONTH.match(text or "")
    if found is None:
        raise InvalidMonth(f"{name} must be a month as YYYY-MM, such as 2026-11.", details={"field": name})
    if int(found[1]) < FIRST_YEAR:  # before building the date: year 0000 is not a date at all
        raise InvalidMonth(f"{name} is before Soko kept accounts ({FIRST_YEAR}).", details={"field": name})
    month = date(int(found[1]), int(found[2]), 1)
    if month > this_month(now):
        raise InvalidMonth(f"{name} is in the future.", details={"field": name})
    return month


def start_utc(month: date) -> str:
    """The first moment of ``month`` in Uganda, as a ledger time (UTC)."""
    return clock.iso(datetime(month.year, month.month, 1, tzinfo=EAT))


def local_month(at: str) -> str:
    """The Uganda month (YYYY-MM) of a ledger time."""
    return _local(at).strftime("%Y-%m")


def _local(at: str) -> datetime:
    return datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).astimezone(EAT)


# ---------------------------------------------------------------------------- one entry, seen by a farmer
class Effect(BaseModel):
    """What one ledger entry did to a farmer's money."""

    at: str
    kind: str
    reference: str
    order_id: str
    escrow: int = 0  # on the escrow of the farmer's order
    due: int = 0  # on farmer:<id> (owed to the farmer)
    paid: int = 0  # on settled:<id> (paid out to the farmer)
    fee: int = 0  # on platform:fees


def effect(item: dict[str, Any], farmer_id: str, payee: Payee = "farmer") -> Effect:
    """``payee`` transporter: only the transporter's own accounts count (their fares come out of
    an escrow that is not theirs)."""
    found = Effect(
        at=str(item["at"]),
        kind=str(item["kind"]),
        reference=str(item["reference"]),
        order_id=str(item.get("order_id", "")),
    )
    for posting in item.get("postings", []):
        account, amount = str(posting["account"]), int(posting["amount"])
        if payee == "transporter":
            if account == ledger.transporter(farmer_id):
                found.due += amount
            elif account == ledger.settled(farmer_id):
                found.paid += amount
            continue
        if account.startswith("escrow:"):
            found.escrow += amount
        elif account == ledger.farmer(farmer_id):
            found.due += amount
        elif account == ledger.settled(farmer_id):
            found.paid += amount
        elif account == ledger.FEES:
            found.fee += amount
    return found


# ---------------------------------------------------------------------------- earnings
class MonthEarnings(BaseModel):
    month: str = Field(description="YYYY-MM (Uganda time)")
    paid_in_ugx: int = Field(0, description="Buyers' payments into the escrow of your orders")
    refunded_ugx: int = Field(0, description="Escrow returned to buyers (refunds and reversals)")
    gross_ugx: int = Field(
        0, description="Escrow released to you as orders completed (a transporter: the fares earned)"
    )
    fees_ugx: int = Field(0, description="Soko's commission on those (none on fares)")
    fares_ugx: int = Field(0, description="Transport fares paid out of your proceeds (a farmer's)")
    net_ugx: int = Field(0, description="What you earned: gross less fees less fares")
    paid_out_ugx: int = Field(0, description="Paid out to your mobile money")
    held_in_escrow_ugx: int = Field(0, description="At the month's end: paid by buyers, not yet released")
    due_ugx: int = Field(0, description="At the month's end: earned, payout scheduled, not yet paid out")


class Earnings(BaseModel):
    farmer_id: str = Field(description="The account holder: the farmer, or the transporter")
    payee: Payee = Field("farmer", description="Whose earnings: a farmer's sales or a transporter's fares")
    currency: str = "UGX"
    from_month: str
    to_month: str
    months: list[MonthEarnings]
    held_in_escrow_ugx: int = Field(description="At the end of the period")
    due_ugx: int = Field(description="At the end of the period")
    paid_out_ugx: int = Field(description="Paid out in the period")
    fees_ugx: int = Field(description="Fees in the period")
    fares_ugx: int = Field(0, description="Transport fares out of your proceeds in the period")
    net_ugx: int = Field(description="Earned in the period")


def require_farmer(caller: Caller) -> Payee:
    """Whose account the caller reads: farmers (and ``both``) theirs, transporters theirs."""
    if caller.role == "transporter":
        return "transporter"
    if not caller.can_sell():
        raise Forbidden(
            "Earnings and statements are for farmers and transporters.", details={"role": caller.role}
        )
    return "farmer"


def _entries(caller: Caller, payee: Payee, before: str, deps: Reports) -> list[Effect]:
    owner = "TRANSPORTER" if payee == "transporter" else "FARMER"
    return [
        effect(i, caller.user_id, payee) for i in deps.dal.farmer_entries(caller.user_id, before, owner=owner)
    ]


def _months(first: date, last: date) -> list[date]:
    months = [first]
    while months[-1] < last:
        months.append(next_month(months[-1]))
    return months


def earnings(
    caller: Caller, from_month: str | None, to_month: str | None, deps: Reports, now: datetime | None = None
) -> Earnings:
    """The farmer's (or transporter's) money by month, ``from_month`` to ``to_month`` (default: the
    last 6 months)."""
    payee = require_farmer(caller)
    last = parse_month(to_month, "to", now) if to_month else this_month(now)
    if from_month:
        first = parse_month(from_month, "from", now)
    else:
        first = last
        for _ in range(5):
            first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    if first > last:
        raise InvalidMonth("from is after to.", details={"field": "from"})
    months = _months(first, last)
    if len(months) > MAX_MONTHS:
        raise InvalidMonth(f"At most {MAX_MONTHS} months at a time.", details={"field": "from"})
    effects = _entries(caller, payee, start_utc(next_month(last)), deps)
    return summarise(caller.user_id, months, effects, payee)


def summarise(farmer_id: str, months: list[date], effects: list[Effect], payee: Payee = "farmer") -> Earnings:
    """Earnings by month from the farmer's entries (up to the last month's end)."""
    by_month: dict[str, list[Effect]] = {}
    for e in effects:
        by_month.setdefault(local_month(e.at), []).append(e)
    names = [m.strftime("%Y-%m") for m in months]
    before = [e for month, found in by_month.items() if month < names[0] for e in found]
    escrow, due = sum(e.escrow for e in before), sum(e.due for e in before)
    rows = []
    for name in names:
        row = MonthEarnings(month=name)
        for e in by_month.get(name, []):
            escrow, due = escrow + e.escrow, due + e.due
            if e.kind == "coop_split":  # a pooled order: a member's share in, the others' out
                if e.due > 0:
                    row.gross_ugx += e.due
                row.net_ugx += e.due
                continue
            if e.kind in FARE_KINDS and payee == "farmer":  # a fare out of (or back to) the proceeds
                row.fares_ugx -= e.due
                row.net_ugx += e.due
                row.paid_out_ugx += e.paid
                continue
            if e.escrow > 0:
                row.paid_in_ugx += e.escrow
            elif e.escrow < 0 and e.due == 0:
                row.refunded_ugx -= e.escrow
            if e.due > 0:
                row.gross_ugx += e.due + e.fee
                row.fees_ugx += e.fee
                row.net_ugx += e.due
            row.paid_out_ugx += e.paid
        row.held_in_escrow_ugx, row.due_ugx = escrow, due
        rows.append(row)
    return Earnings(
        farmer_id=farmer_id,
        payee=payee,
        from_month=names[0],
        to_month=names[-1],
        months=rows,
        held_in_escrow_ugx=escrow,
        due_ugx=due,
        paid_out_ugx=sum(r.paid_out_ugx for r in rows),
        fees_ugx=sum(r.fees_ugx for r in rows),
        fares_ugx=sum(r.fares_ugx for r in rows),
        net_ugx=sum(r.net_ugx for r in rows),
    )


# ---------------------------------------------------------------------------- the monthly statement
class StatementLine(BaseModel):
    at: str = Field(description="Ledger time (UTC)")
    date: str = Field(description="Date in Uganda (YYYY-MM-DD)")
    order_id: str
    kind: str = Field(
        description="sale, paid_out, fare (a transport fare: earned by a transporter, or out of a "
        "farmer's proceeds), fare_returned, or another ledger kind"
    )
    reference: str = Field(description="The payout id")
    gross_ugx: int
    fee_ugx: int
    net_ugx: int
    balance_ugx: int = Field(description="The balance after this movement")


class Statement(BaseModel):
    farmer_id: str = Field(description="The account holder: the farmer, or the transporter")
    payee: Payee = "farmer"
    month: str
    currency: str = "UGX"
    language: str = "en"
    opening_balance_ugx: int
    lines: list[StatementLine]
    total_gross_ugx: int
    total_fees_ugx: int
    total_net_ugx: int
    closing_balance_ugx: int
    earned_gross_ugx: int = Field(
        description="The month's sales: escrow released to the farmer (a transporter: fares earned)"
    )
    earned_net_ugx: int = Field(description="The month's sales less Soko's fees (a transporter: fares)")
    fares_ugx: int = Field(0, description="Transport fares out of the farmer's proceeds in the month")
    paid_out_ugx: int = Field(description="Paid out to the farmer's mobile money in the month")
    held_in_escrow_ugx: int = Field(description="At the month's end")
    generated_at: str

    def weekly_net(self) -> list[int]:
        """The month's net earnings (sales) by week: days 1-7, 8-14, 15-21, 22-28, 29-31."""
        weeks = [0] * 5
        for line in self.lines:
            if line.kind == EARNING_LINES[self.payee]:
                weeks[min((int(line.date[8:10]) - 1) // 7, 4)] += line.net_ugx
        return weeks


def statement(caller: Caller, month_text: str, deps: Reports, now: datetime | None = None) -> Statement:
    payee = require_farmer(caller)
    month = parse_month(month_text, "month", now)
    effects = _entries(caller, payee, start_utc(next_month(month)), deps)
    return build_statement(caller.user_id, month, effects, deps.language(caller.user_id), payee)


def build_statement(
    farmer_id: str, month: date, effects: list[Effect], language: str = "en", payee: Payee = "farmer"
) -> Statement:
    """The statement of ``month`` from the farmer's entries (oldest first, up to the month's end)."""
    name = month.strftime("%Y-%m")
    opening = escrow = paid_out = 0
    lines: list[StatementLine] = []
    balance = 0
    # Ledger times are to the second: within one second, credits first (a balance never dips for show).
    for e in sorted(effects, key=lambda e: (e.at, e.due < 0)):
        in_month = local_month(e.at)
        if in_month > name:
            continue
        escrow += e.escrow
        if in_month < name:
            opening += e.due
            balance = opening
            continue
        paid_out += e.paid
        if e.due == 0:
            continue
        balance += e.due
        fee = e.fee if e.due > 0 else 0
        lines.append(
            StatementLine(
                at=e.at,
                date=_local(e.at).strftime("%Y-%m-%d"),
                order_id=e.order_id,
                kind=KINDS.get(e.kind, e.kind),
                reference=e.reference,
                gross_ugx=e.due + fee,
                fee_ugx=fee,
                net_ugx=e.due,
                balance_ugx=balance,
            )
        )
    net = sum(line.net_ugx for line in lines)
    # a pooled order's shares are earnings too: a member's in, the others' out of its manager's sale
    earning = [line for line in lines if line.kind in (EARNING_LINES[payee], KINDS["coop_split"])]
    return Statement(
        farmer_id=farmer_id,
        payee=payee,
        month=name,
        language=language,
        opening_balance_ugx=opening,
        lines=lines,
        total_gross_ugx=sum(line.gross_ugx for line in lines),
        total_fees_ugx=sum(line.fee_ugx for line in lines),
        total_net_ugx=net,
        closing_balance_ugx=opening + net,
        earned_gross_ugx=sum(line.gross_ugx for line in earning),
        earned_net_ugx=sum(line.net_ugx for line in earning),
        fares_ugx=-sum(line.net_ugx for line in lines if line.kind in ("fare", "fare_returned"))
        if payee == "farmer"
        else 0,
        paid_out_ugx=paid_out,
        held_in_escrow_ugx=escrow,
        generated_at=clock.now_iso(),
    )


CSV_COLUMNS = ("date", "order_id", "kind", "reference", "gross_ugx", "fee_ugx", "net_ugx", "balance_ugx")


def to_csv(s: Statement) -> str:
    """The statement as CSV: an opening-balance row, one row per movement, and a closing-balance
    row whose gross, fee and net are the month's totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    first_day = f"{s.month}-01"
    writer.writerow([first_day, "", "opening_balance", "", "", "", "", s.opening_balance_ugx])
    for line in s.lines:
        writer.writerow(
            [
                line.date,
                line.order_id,
                line.kind,
                line.reference,
                line.gross_ugx,
                line.fee_ugx,
                line.net_ugx,
                line.balance_ugx,
            ]
        )
    last_day = (next_month(date.fromisoformat(first_day)) - timedelta(days=1)).isoformat()
    writer.writerow(
        [
            last_day,
            "",
            "closing_balance",
            "",
            s.total_gross_ugx,
            s.total_fees_ugx,
            s.total_net_ugx,
            s.closing_balance_ugx,
        ]
    )
    return out.getvalue()
