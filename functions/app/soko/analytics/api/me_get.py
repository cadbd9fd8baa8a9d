"""GET /analytics/me"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.analytics import farmer
from soko.analytics.deps.metrics import farmer as farmer_deps
from soko.analytics.models import FarmerAnalytics
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/analytics/me",
    summary="A farmer's sales, prices, buyers and ratings",
    description="Farmers (and accounts that both buy and sell; any other role: 403). The caller's "
    "completed orders by month (Uganda time) and crop over the last `months` months (1-24, default "
    "12, this month included): orders, kilograms, revenue and the average price per kg obtained, "
    "next to WFP's average observed price that month and our forecast for that month in the WFP "
    "market nearest the farmer's district (null where there is none); totals; buyers (all time; "
    "repeat: two or more completed orders) and ratings by month.",
    tags=["analytics"],
    responses={
        200: {"description": "The farmer's figures", "content": {JSON: {"model": FarmerAnalytics}}},
        **error_responses(401, 403, 422),
    },
)
def get_me(
    *, months: Annotated[int, Query(ge=1, le=24, description="how many months back, 1-24 (default 12)")] = 12
) -> Response[str]:
    return json_body(farmer.farmer_analytics(caller(app), months, farmer_deps()))


lambda_handler = entry(app)
