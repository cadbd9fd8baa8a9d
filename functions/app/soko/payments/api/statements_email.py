"""POST /payments/statements/email"""

from aws_lambda_powertools.event_handler import Response

from soko.payments import mail
from soko.payments.deps import statement_mail
from soko.payments.models import StatementEmailRequest
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body
from soko.shared.models import Accepted

app = create_app()


@app.post(
    "/payments/statements/email",
    summary="E-mail a farmer or transporter their monthly statement (PDF)",
    description="Farmers and transporters. Sends the statement of `month` (YYYY-MM, Uganda time; "
    "this month so far, or a "
    "past one) as a PDF attachment to the account's e-mail address, in the farmer's language (English or "
    "Luganda): the same document as `GET /payments/statements/{month}?format=pdf`, with the month's net "
    "earnings, pay-outs and closing balance in the message. 202 once SES has taken the message. 400 "
    "`INVALID_MONTH` for a month in the future; 409 `NO_EMAIL_ADDRESS` for an account without an e-mail "
    "address; 429 `STATEMENT_EMAIL_LIMIT` (with `Retry-After`) when the same month's statement was e-mailed "
    "within the hour; 503 `EMAIL_UNAVAILABLE` when SES did not take it (nothing was sent: try again).",
    tags=["payments"],
    responses={
        202: {"description": "Sent", "content": {JSON: {"model": Accepted}}},
        **error_responses(400, 401, 403, 409, 422, 429, 503),
    },
)
def email_statement(request: StatementEmailRequest) -> Response[str]:
    return json_body(mail.send_statement(caller(app), request.month, statement_mail()), 202)


lambda_handler = entry(app)
