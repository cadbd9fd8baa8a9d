"""POST /reports"""

from aws_lambda_powertools.event_handler import Response

from soko.analytics import reports
from soko.analytics.deps.reports import reports as wiring
from soko.analytics.models import Report
from soko.shared.http import JSON, caller, create_app, error_responses
from soko.shared.idempotency import IdempotencyKey, IdempotentCreate
from soko.shared.identity import Caller

app = create_app()


def _create(who: Caller, request: reports.ReportRequest) -> Report:
    return reports.request_report(who, request, wiring())


create_once = IdempotentCreate(
    "create_report", "report", reports.ReportRequest, Report, _create, exclude_none=True
)


@app.post(
    "/reports",
    summary="Request a report (CSV or PDF), built in the background",
    description="Signed in. `kind` `sales` (completed orders: gross, Soko's commission and net, from the "
    "event lake) and `payouts` (the ledger's movements of the farmer's account: sales, fares and what "
    "was paid out to mobile money) are a farmer's own (an admin's sales report: every farmer's; "
    "payouts are per farmer, so an admin's is a 400); `market_prices` (a crop's traded volume and "
    "average price by ISO week with the WFP market price; `crop` required) is open to anyone signed "
    "in. `from_date` and `to_date` are days in East Africa Time, inclusive, at most 366 days, "
    "`to_date` not in the future; `crop` (any crop name, stored as its catalogue id) and `district` "
    "filter. Answers 202 with the report `queued`; poll `GET /reports/{id}` for `ready` (then a "
    "`download_url`) or `failed` (`error` says why). With an `Idempotency-Key`, a retry with the same "
    "body returns the first report. 400 `INVALID_REPORT` (to_date in the future, a market report "
    "without a crop, an admin's payouts report), 403 a buyer's sales or payouts, 422 a field out of "
    "its limits (unknown field, bad date, more than 366 days, unknown crop or district).",
    tags=["analytics"],
    responses={
        202: {"description": "Queued", "content": {JSON: {"model": Report}}},
        **error_responses(400, 401, 403, 409, 422),
    },
)
def create(request: reports.ReportRequest, idempotency_key: IdempotencyKey = None) -> Response[str]:
    created = create_once.respond(caller(app), request, idempotency_key)
    created.status_code = 202
    return created


lambda_handler = create_once.lambda_handler(app)
