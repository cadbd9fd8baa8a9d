"""POST /ml/price/predict"""

from aws_lambda_powertools.event_handler import Response

from soko.ml import logic
from soko.ml.deps import prices
from soko.ml.models import Forecast, PredictRequest
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/ml/price/predict",
    summary="Weekly price forecast",
    description="Public. UGX per kg for the next `weeks_ahead` weeks (1-12), with bounds. `source` says "
    "whether a trained model or the seasonal heuristic (latest price, harvest and lean months) made it. "
    "Every answer says how old the newest price behind it is (`data_through`, and `data_age_days` counted to "
    "today in East Africa Time); past the deployment's PriceStaleAfterDays (60 days by default) it is marked "
    "`stale`, with `stale_reason` and the last observed price (`last_price`, `last_price_day`) to show "
    "instead of presenting the predictions as current. Unknown markets or crops get a 422 that lists the "
    "valid values.",
    tags=["prices"],
    responses={
        200: {"description": "The forecast", "content": {JSON: {"model": Forecast}}},
        **error_responses(400, 404, 422),
    },
)
def predict(request: PredictRequest) -> Response[str]:
    return json_body(logic.predict(request, prices()))


lambda_handler = entry(app)
