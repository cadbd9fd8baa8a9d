"""POST /sms/delivery-reports (Africa's Talking's delivery-report callback; public)"""

from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from pydantic import ValidationError

from soko.messaging import logic
from soko.messaging.deps import messaging
from soko.messaging.models import DeliveryReport, ReportRecorded
from soko.shared.errors import BadRequest, Unprocessable
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

FORM = "application/x-www-form-urlencoded"
app = create_app()


@app.post(
    "/sms/delivery-reports",
    summary="Record an SMS delivery report",
    description="Africa's Talking posts a form (id, status, phoneNumber, networkCode, failureReason) for "
    "each SMS Soko sent. Reports for unknown message ids are accepted and ignored (200, recorded false), "
    "so the provider does not retry them.",
    tags=["sms"],
    responses={
        200: {"description": "Accepted", "content": {JSON: {"model": ReportRecorded}}},
        **error_responses(400, 413, 415, 422),
    },
)
def delivery_report() -> Response[str]:
    try:
        fields = parse_qs(app.current_event.decoded_body or "", keep_blank_values=True, max_num_fields=20)
    except ValueError:  # more than 20 fields (the fuzz found this answered 500)
        raise BadRequest("A delivery report has at most 20 fields.") from None
    try:
        report = DeliveryReport.model_validate({k: v[0] for k, v in fields.items()})
    except ValidationError as err:
        names = sorted({str(e["loc"][0]) for e in err.errors()})
        raise Unprocessable(
            f"Some values are not valid: {', '.join(names)}.", details={"fields": names}
        ) from None
    return json_body(logic.record_report(report, messaging()))


lambda_handler = entry(app, accept=(FORM,), max_body_bytes=4096)
