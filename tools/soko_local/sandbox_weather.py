"""Sandbox twin of Open-Meteo's forecast API, for district weather,
served by the local runtime under ``/_sandbox/weather``.

- ``GET /_sandbox/weather/v1/forecast?latitude=..&longitude=..&daily=..&timezone=..&forecast_days=..``
  answers as Open-Meteo does (docs/providers.md#open-meteo-weather): the ``daily`` block with the
  variables asked for, ``forecast_days`` days from today in the asked time zone. The weather is
  deterministic per coordinate and day (light rain, 0-12 mm: never heavy by itself). A missing or
  out-of-range coordinate, an unknown variable or a bad time zone is a 400
  ``{"error": true, "reason": ...}``, as Open-Meteo answers.
- ``POST /_sandbox/weather/_forecast`` ``{"district": "Gulu", "day_offset": 1, "rain_mm": 45,
  "probability": 90}`` sets a district's rain on a day (0 = today in Kampala); ``DELETE`` clears
  every such setting.
- ``POST /_sandbox/weather/_faults`` ``{"status": 503}`` makes the forecast answer that status until
  ``DELETE /_sandbox/weather/_faults``.
- ``GET /_sandbox/weather/_calls``: how many forecast requests were answered (caching tests).
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from werkzeug.wrappers import Request, Response

from soko.shared import places

BASE = "/weather"
VARIABLES = frozenset(
    {"precipitation_sum", "temperature_2m_max", "temperature_2m_min", "precipitation_probability_max"}
)
UNITS = {
    "time": "iso8601",
    "precipitation_sum": "mm",
    "temperature_2m_max": "°C",
    "temperature_2m_min": "°C",
    "precipitation_probability_max": "%",
}
ZONES = {"Africa/Kampala": 3 * 3600, "GMT": 0, "UTC": 0}


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")


def _error(reason: str, status: int = 400) -> Response:
    return _json({"error": True, "reason": reason}, status)


def _unit(seed: str) -> float:
    """A number in [0, 1) fixed by ``seed``."""
    return int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) / 0x1_0000_0000


def _point(latitude: float, longitude: float) -> str:
    return f"{latitude:.2f},{longitude:.2f}"


def _query(request: Request) -> tuple[float, float, list[str], str, int] | Response:
    """The forecast request's parameters, or Open-Meteo's 400 for the first that is wrong."""
    args = request.args
    try:
        latitude, longitude = float(args["latitude"]), float(args["longitude"])
    except (KeyError, ValueError):
        return _error("Parameter 'latitude' and 'longitude' must be floating point numbers")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return _error("Latitude must be in range of -90 to 90°. Given: out of range.")
    daily = [v for v in args.get("daily", "").split(",") if v]
    unknown = [v for v in daily if v not in VARIABLES]
    if unknown:
        return _error(f"Cannot initialize ForecastVariableDaily from invalid String value {unknown[0]}")
    zone = args.get("timezone", "GMT")
    if daily and zone not in ZONES:
        return _error("Invalid timezone")
    days = args.get("forecast_days", "7")
    if not days.isdigit() or not 0 <= int(days) <= 16:
        return _error("Forecast days is invalid. Allowed range 0 to 16.")
    return latitude, longitude, daily, zone, int(days)


class Twin:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.fault_status: int | None = None
        self.overrides: dict[tuple[str, date], tuple[float, int]] = {}  # (point, day) -> (mm, %)
        self.calls = 0

    def dispatch(self, request: Request, path: str) -> Response | None:
        """The answer for ``path`` (the request path without ``/_sandbox``), or None when not ours."""
        if not path.startswith(BASE + "/"):
            return None
        route = path.removeprefix(BASE)
        if route == "/v1/forecast" and request.method == "GET":
            return self.forecast(request)
        if route == "/_faults" and request.method in ("POST", "DELETE"):
            return self.faults(request)
        if route == "/_forecast" and request.method in ("POST", "DELETE"):
            return self.set_forecast(request)
        if route == "/_calls" and request.method == "GET":
            return _json({"calls": self.calls})
        return None

    # ------------------------------------------------------------------ controls
    def faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            with self._lock:
                self.fault_status = None
            return _json({"fault": None})
        body = request.get_json(silent=True) or {}
        status = body.get("status", 503)
        if not isinstance(status, int) or not 500 <= status <= 599:
            return _json({"error": "status must be a 5xx"}, 400)
        with self._lock:
            self.fault_status = status
        return _json({"fault": status})

    def set_forecast(self, request: Request) -> Response:
        if request.method == "DELETE":
            with self._lock:
                self.overrides.clear()
            return _json({"overrides": 0})
        body = request.get_json(silent=True) or {}
        try:
            district = places.district(str(body.get("district", "")))
            offset = int(body.get("day_offset", 0))
            rain = float(body["rain_mm"])
            probability = int(body.get("probability", 90))
        except Exception:  # a control route: any bad body is a 400
            return _json({"error": "give a known district, day_offset 0-6 and rain_mm"}, 400)
        if not 0 <= offset <= 15 or not 0 <= rain <= 2000 or not 0 <= probability <= 100:
            return _json({"error": "day_offset 0-15, rain_mm 0-2000, probability 0-100"}, 400)
        day = datetime.now(UTC).astimezone(timezone(timedelta(hours=3))).date() + timedelta(days=offset)
        with self._lock:
            self.overrides[(_point(*places.DISTRICTS[district]), day)] = (rain, probability)
        return _json({"district": district, "day": day.isoformat(), "rain_mm": rain})

    # ------------------------------------------------------------------ the provider
    def forecast(self, request: Request) -> Response:
        with self._lock:
            self.calls += 1
            fault = self.fault_status
        if fault is not None:
            return _error("sandbox fault switched on", fault)
        asked = _query(request)
        if isinstance(asked, Response):
            return asked
        latitude, longitude, daily, zone, days = asked
        offset = ZONES.get(zone, 0)
        today = datetime.now(UTC).astimezone(timezone(timedelta(seconds=offset))).date()
        point = _point(latitude, longitude)
        columns: dict[str, list[Any]] = {"time": [], **{name: [] for name in daily}}
        for n in range(days):
            day = today + timedelta(days=n)
            values = self._weather(point, day)
            columns["time"].append(day.isoformat())
            for name in daily:
                columns[name].append(values[name])
        return _json(
            {
                "latitude": round(latitude, 4),
                "longitude": round(longitude, 4),
                "generationtime_ms": 0.1,
                "utc_offset_seconds": offset,
                "timezone": zone,
                "timezone_abbreviation": "EAT" if offset else "GMT",
                "elevation": 1100.0,
                "daily_units": {name: UNITS[name] for name in columns},
                "daily": columns,
            }
        )

    def _weather(self, point: str, day: date) -> dict[str, Any]:
        seed = f"{point}:{day.isoformat()}"
        rain = round(_unit(seed + ":rain") * 12, 1)
        probability = round(20 + _unit(seed + ":p") * 50)
        with self._lock:
            override = self.overrides.get((point, day))
        if override is not None:
            rain, probability = override
        low = round(14 + _unit(seed + ":min") * 6, 1)
        return {
            "precipitation_sum": rain,
            "precipitation_probability_max": probability,
            "temperature_2m_min": low,
            "temperature_2m_max": round(low + 7 + _unit(seed + ":max") * 6, 1),
        }


def parameter_overrides(base_url: str, prefix: str) -> dict[str, str]:
    """Template parameters that point the adapter at this twin."""
    return {"WeatherBaseUrl": f"{base_url}{prefix}{BASE}"}
