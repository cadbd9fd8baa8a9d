"""GET /payments/earnings"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.payments import statements
from soko.payments.deps import reports
from soko.payments.statements import Earnings
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()

Month = Annotated[
    str | None, Query(alias="from", description="First month, YYYY-MM (default: 5 months before `to`)")
]
ToMonth = Annotated[str | None, Query(alias="to", description="Last month, YYYY-MM (default: this month)")]


@app.get(
    "/payments/earnings",
    summary="A farmer's or transporter's earnings by month",
    description="Farmers and transporters (any other role: 403). For each month (Uganda time) of "
    "`from`..`to` (at most 24): "
    "buyers' payments into "
    "the escrow of the farmer's orders (transport fares they paid included), refunds, what was "
    "released to the farmer (gross, Soko's fee, transport fares out of the proceeds, "
    "net), what was paid out to their mobile money, and at the month's end what is held in escrow "
    "and what is due (payouts scheduled, not yet paid out). A transporter's gross and net are the "
    "fares they earned (no fee), with what was paid out and what is due. Computed from the ledger: "
    "the numbers reconcile with it to the shilling. 400 `INVALID_MONTH` for a month that is not "
    "YYYY-MM, in the future, or a range the wrong way round.",
    tags=["payments"],
    responses={
        200: {"description": "Earnings by month", "content": {JSON: {"model": Earnings}}},
        **error_responses(400, 401, 403),
    },
)
def earnings(from_month: Month = None, to_month: ToMonth = None) -> Response[str]:
    return json_body(statements.earnings(caller(app), from_month, to_month, reports()))


lambda_handler = entry(app)
