"""GET /weather/{district}"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from soko.shared.http import JSON, create_app, entry, error_responses, json_body
from soko.weather.deps import weather
from soko.weather.models import DistrictWeather

app = create_app()


@app.get(
    "/weather/<district>",
    summary="A district's weather for the next 7 days",
    description="Public (weather is nobody's secret, and basic phones read it through USSD). The "
    "district by name in any spelling the catalogue knows (`Gulu`, `gulu`, `Fort Portal`). Each "
    "day: rain in mm, the chance of rain, the lowest and highest temperature (Open-Meteo's "
    "forecast, in Kampala's time zone). Cached per district for `WeatherCacheHours`; when the "
    "provider fails the last forecast is returned with `stale: true` (its `fetched_at` says how "
    "old it is), and 503 only if the district's forecast was never fetched. An unknown district is "
    "a 404 `UNKNOWN_DISTRICT` naming it.",
    tags=["weather"],
    responses={
        200: {"description": "The forecast", "content": {JSON: {"model": DistrictWeather}}},
        **error_responses(404, 422, 503),
    },
)
def get(
    district: Annotated[
        str,
        Path(min_length=1, max_length=60, description="a Ugandan district (or a town: Fort Portal, Entebbe)"),
    ],
) -> Response[str]:
    return json_body(weather().district(district))


lambda_handler = entry(app)
