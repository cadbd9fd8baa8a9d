"""HeavyRainForecast -> one WeatherAdviceIssued notice per farmer of the district (the
notification pipeline delivers them in each farmer's language)."""

from __future__ import annotations

from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger
from soko.weather import logic
from soko.weather.deps import advice
from soko.weather.events import HeavyRainForecast


def handle(event: ReceivedEvent) -> None:
    forecast = event.parse(HeavyRainForecast)
    directory, publisher = advice()
    sent = logic.advise_farmers(forecast, directory, publisher)
    logger.info("heavy-rain advice published", extra={"district": forecast.district, "notices": sent})


consumer = EventConsumer("weather.advice", handle)
lambda_handler = consumer.lambda_handler
