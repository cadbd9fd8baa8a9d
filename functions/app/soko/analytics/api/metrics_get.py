"""GET /admin/metrics"""

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.analytics import metrics
from soko.analytics.deps.metrics import metrics as metrics_deps
from soko.analytics.models import Metrics, Period
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/admin/metrics",
    summary="The marketplace's figures for a day, week or month",
    description="Admins only. One period (`period`: `day`, ISO `week` or `month`, in Uganda time) "
    "containing the day `on` (YYYY-MM-DD, from 2024-01-01 to today; default today): orders by "
    "outcome, payments, GMV (the goods value of orders paid in the period: the payment less the "
    "transport fare, as the lake's gmv_by_day query counts it), the value of orders completed, new "
    "users, active farmers and buyers (with an order placed in the period), rates, the top crops and "
    "districts by GMV, where searches came up empty (`district` `ALL` when the search named none), "
    "the application's queues and a series of the previous periods (14 days, 8 weeks or 6 months) "
    "for a chart. Counters are fed by events, each counted once; they lag the events by seconds. "
    "422 `DATE_OUT_OF_RANGE` for a day in the future or before 2024.",
    tags=["analytics", "admin"],
    responses={
        200: {"description": "The period's figures", "content": {JSON: {"model": Metrics}}},
        **error_responses(401, 403, 422),
    },
)
def get_metrics(
    *,
    period: Annotated[Period, Query(description="day (default), week or month")] = "day",
    on: Annotated[date | None, Query(description="a day in the period (YYYY-MM-DD); default today")] = None,
) -> Response[str]:
    return json_body(metrics.metrics(caller(app), period, on, metrics_deps()))


lambda_handler = entry(app)
