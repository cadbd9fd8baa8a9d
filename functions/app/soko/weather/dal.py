"""The weather table (the domain's own): the last forecast of each district, and the heavy-rain
alerts already claimed. The only module of the domain that touches DynamoDB.

| item | key | TTL (``expires_at``) |
|---|---|---|
| a district's last forecast | ``FORECAST#<district>`` / ``LATEST`` | 7 days after it was fetched |
| a heavy-rain alert claimed | ``ALERT#<district>`` / ``DAY#<YYYY-MM-DD>`` | 3 days after that day |

A forecast is fresh for the cache period (``WeatherCacheHours``); after that it stays as the stale
fallback, served when the provider fails, until its TTL.

An alert is claimed with ``attribute_not_exists``: one ``HeavyRainForecast`` per district and day,
however often the job runs and whatever the TTL sweeper's delay (the item outlives its day).
"""

from __future__ import annotations

from datetime import date

from soko.shared import dynamo
from soko.weather.models import CachedForecast


def _forecast_key(district: str) -> dict[str, str]:
    return {"pk": f"FORECAST#{district}", "sk": "LATEST"}


def _alert_key(district: str, day: date) -> dict[str, str]:
    return {"pk": f"ALERT#{district}", "sk": f"DAY#{day.isoformat()}"}


class WeatherDal(dynamo.TableDal):
    def get_forecast(self, district: str) -> CachedForecast | None:
        key = _forecast_key(district)
        item = self._get(key["pk"], key["sk"])
        return CachedForecast.model_validate(item) if item else None

    def put_forecast(self, forecast: CachedForecast, expires_at: int) -> None:
        item = {
            **_forecast_key(forecast.district),
            **forecast.model_dump(mode="json"),
            "expires_at": expires_at,
        }
        self._table.put_item(Item=dynamo.storable(item))

    def claim_alert(self, district: str, day: date, expires_at: int) -> bool:
        item = {**_alert_key(district, day), "district": district, "expires_at": expires_at}
        return self._put_if(item, "attribute_not_exists(pk)")

    def release_alert(self, district: str, day: date) -> None:
        self._table.delete_item(Key=_alert_key(district, day))
