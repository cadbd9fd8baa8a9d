"""GET /ml/price/crops"""

from aws_lambda_powertools.event_handler import Response

from soko.ml import logic
from soko.ml.models import CropList
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/ml/price/crops",
    summary="Crops with price forecasts",
    description="Public. The eight crops the price layer forecasts, with names, Luganda names and synonyms.",
    tags=["prices"],
    responses={
        200: {"description": "The crops", "content": {JSON: {"model": CropList}}},
        **error_responses(),
    },
)
def get_crops() -> Response[str]:
    return json_body(logic.list_crops())


lambda_handler = entry(app)
