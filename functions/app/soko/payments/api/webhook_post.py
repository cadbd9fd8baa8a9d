"""POST /webhook/pesapal (PesaPal IPN, JSON body; public)"""

import json

from aws_lambda_powertools.event_handler import Response

from soko.payments.api._webhook import DESCRIPTION, RESPONSES, acknowledge
from soko.shared.http import create_app, entry, error_responses

app = create_app()


@app.post(
    "/webhook/pesapal",
    summary="PesaPal notification (POST)",
    description=DESCRIPTION,
    tags=["payments"],
    responses={**RESPONSES, **error_responses(413, 415)},
)
def notify() -> Response[str]:
    try:
        fields = json.loads(app.current_event.decoded_body or "{}")
    except ValueError:
        fields = {}
    return acknowledge(fields)


lambda_handler = entry(app, max_body_bytes=4096)
