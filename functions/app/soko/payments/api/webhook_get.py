"""GET /webhook/pesapal (PesaPal IPN, query string; public)"""

from aws_lambda_powertools.event_handler import Response

from soko.payments.api._webhook import DESCRIPTION, RESPONSES, acknowledge
from soko.shared.http import create_app, entry, error_responses

app = create_app()


@app.get(
    "/webhook/pesapal",
    summary="PesaPal notification (GET)",
    description=DESCRIPTION,
    tags=["payments"],
    responses={**RESPONSES, **error_responses()},
)
def notify() -> Response[str]:
    return acknowledge(dict(app.current_event.query_string_parameters or {}))


lambda_handler = entry(app, max_body_bytes=4096)
