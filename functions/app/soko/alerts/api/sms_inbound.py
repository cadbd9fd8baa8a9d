"""POST /sms/inbound (Africa's Talking's incoming-SMS callback; public)"""

from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from pydantic import ValidationError

from soko.alerts import sms
from soko.alerts.deps import inbound
from soko.alerts.models import InboundAnswer, InboundSms
from soko.shared.errors import BadRequest, Unprocessable
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

FORM = "application/x-www-form-urlencoded"
app = create_app()


@app.post(
    "/sms/inbound",
    summary="Receive an SMS sent to Soko's shortcode",
    description="Africa's Talking posts a form (from, to, text, date, id, linkId) for each SMS sent to "
    "the shortcode. Keywords: `PRICE MAIZE LIRA` (Luganda `BBEEYI KASOOLI LIRA`), optionally "
    "`ABOVE 1500` / `BELOW 900` (`WAGGULU` / `WANSI`), subscribes the sender; `STOP` ends all their "
    "price alerts, `STOP MAIZE` one crop's; anything else gets a help reply. The reply is an SMS in "
    "the language the sender wrote in. Each message id is handled once (a repeat answers `repeat`).",
    tags=["sms"],
    responses={
        200: {"description": "Handled", "content": {JSON: {"model": InboundAnswer}}},
        **error_responses(400, 413, 415, 422),
    },
)
def inbound_sms() -> Response[str]:
    try:
        fields = parse_qs(app.current_event.decoded_body or "", keep_blank_values=True, max_num_fields=20)
    except ValueError:
        raise BadRequest("An incoming SMS has at most 20 fields.") from None
    try:
        message = InboundSms.model_validate({k: v[0] for k, v in fields.items()})
    except ValidationError as err:
        names = sorted({str(e["loc"][0]) for e in err.errors()})
        raise Unprocessable(
            f"Some values are not valid: {', '.join(names)}.", details={"fields": names}
        ) from None
    return json_body(sms.handle(message, inbound()))


lambda_handler = entry(app, accept=(FORM,), max_body_bytes=4096)
