"""GET /ml/price/markets"""

from aws_lambda_powertools.event_handler import Response

from soko.ml import logic
from soko.ml.models import MarketList
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/ml/price/markets",
    summary="Markets with prices",
    description="Public. Ids accept any case and aliases (`Kampala`, `Owino` -> `Kisenyi_Kampala`).",
    tags=["prices"],
    responses={
        200: {"description": "The markets", "content": {JSON: {"model": MarketList}}},
        **error_responses(),
    },
)
def get_markets() -> Response[str]:
    return json_body(logic.list_markets())


lambda_handler = entry(app)
