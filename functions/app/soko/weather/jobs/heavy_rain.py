"""The heavy-rain job (EventBridge schedule): refreshes the forecast of every district that has
farmers and publishes ``HeavyRainForecast`` once per district and day above the threshold."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from soko.shared.observability import lambda_entry
from soko.weather import logic
from soko.weather.deps import heavy_rain


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    weather, directory, publisher, threshold = heavy_rain()
    return asdict(logic.check_heavy_rain(weather, directory, publisher, threshold))
