"""GET /payments/statements/{month}"""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.payments import statements
from soko.payments.api._documents import document
from soko.payments.deps import reports
from soko.shared.http import caller, create_app, entry, error_responses

app = create_app()

CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"
Format = Annotated[Literal["csv", "pdf"], Query(description="csv (default) or pdf")]


@app.get(
    "/payments/statements/<month>",
    summary="A farmer's or transporter's monthly statement (CSV or PDF)",
    description="Farmers and transporters (any other role: 403). The statement of the caller's account "
    "with Soko (`farmer:<id>`, or `transporter:<id>`) for `month` (YYYY-MM, Uganda "
    "time; this month so far, or a past one): the opening balance, each movement (date, order, kind "
    "- `sale` when an order's escrow is released to the farmer less Soko's fee, `fare` when a "
    "transporter earns an order's transport fare (no fee) or when a fare is taken out of a farmer's "
    "proceeds, `fare_returned` when a held fare comes back to the farmer, `paid_out` when it "
    "is paid to their mobile money - gross, fee, net, balance after) and the closing balance, which "
    "is the opening balance plus the month's net and reconciles with the ledger to the shilling. The "
    "document is the response body (`Content-Disposition: attachment`; a PDF is base64 over API "
    "Gateway): a month of one farmer's movements is far below Lambda's 6 MB response limit. The "
    "PDF's headings are in the farmer's language (English or Luganda) and it shows the month's net "
    "earnings by week as a bar chart. 400 `INVALID_MONTH` for a month that is not YYYY-MM or in the "
    "future.",
    tags=["payments"],
    responses={
        200: {
            "description": "The statement",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                PDF: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **error_responses(400, 401, 403, 413, 422),
    },
)
def statement(month: str, format: Format = "csv") -> Response[str]:
    who, deps = caller(app), reports()
    found = statements.statement(who, month, deps)
    filename = f"soko-statement-{found.month}.{format}"
    if format == "csv":
        body: str | bytes = statements.to_csv(found)
    else:
        from soko.payments import documents  # noqa: PLC0415  (fpdf2, from the reports layer)

        body = documents.statement_pdf(found, deps.full_name(who.user_id))
    statements.check_inline(body)
    return document(body, CSV if format == "csv" else PDF, filename)


lambda_handler = entry(app)
