"""GET /payments/receipts/{order_id}"""

from aws_lambda_powertools.event_handler import Response

from soko.payments import receipts
from soko.payments.api._documents import document
from soko.payments.deps import reports
from soko.shared.http import caller, create_app, entry, error_responses

app = create_app()


@app.get(
    "/payments/receipts/<order_id>",
    summary="A buyer's receipt for a paid order (PDF)",
    description="The order's buyer only, once the order is paid: a PDF with the order, the item, the amount "
    "(the produce and the transport fare as separate lines when the buyer paid one), the payment "
    "method and the provider's reference, the date it was paid and where the money is now (held "
    "in escrow, released to the farmer, refunded), in the buyer's language (English or Luganda). Base64 over "
    "API Gateway, `Content-Disposition: attachment`. 404 `RECEIPT_NOT_FOUND` for an order that is not paid "
    "or not the caller's.",
    tags=["payments"],
    responses={
        200: {
            "description": "The receipt",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
        **error_responses(401, 404),
    },
)
def receipt(order_id: str) -> Response[str]:
    from soko.payments import documents  # noqa: PLC0415  (fpdf2, from the reports layer)

    found = receipts.receipt(caller(app), order_id, reports())
    return document(documents.receipt_pdf(found), "application/pdf", f"soko-receipt-{found.order_id}.pdf")


lambda_handler = entry(app)
