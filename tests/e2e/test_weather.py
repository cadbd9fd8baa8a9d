"""District weather over HTTP against the real application under the local runtime, its adapter
pointed at the Open-Meteo twin by the template parameter: `GET /weather/Gulu` answers 7 days from
the sandbox; with the sandbox failing it stays up, answering the last forecast flagged stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

TIMEOUT = 30


def test_gulu_weather_from_the_sandbox_stays_up_stale_when_the_sandbox_fails(
    soko: Any, http: requests.Session
) -> None:
    sandbox = f"{soko.url}/_sandbox/weather"
    http.delete(f"{sandbox}/_faults", timeout=TIMEOUT).raise_for_status()
    control = http.post(
        f"{sandbox}/_forecast", json={"district": "Gulu", "day_offset": 1, "rain_mm": 45}, timeout=TIMEOUT
    )
    assert control.status_code == 200, control.text
    try:
        reply = http.get(f"{soko.url}/weather/Gulu", timeout=TIMEOUT)
        assert reply.status_code == 200, reply.text
        fresh = reply.json()
        assert fresh["district"] == "Gulu" and fresh["stale"] is False and len(fresh["days"]) == 7
        assert fresh["days"][1]["rain_mm"] == 45

        # the cache period passes (the cached forecast is made older than WeatherCacheHours) ...
        table = soko.endpoints["outputs"]["WeatherTableName"]
        old = (datetime.now(UTC) - timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
        soko.client("dynamodb").update_item(
            TableName=table,
            Key={"pk": {"S": "FORECAST#Gulu"}, "sk": {"S": "LATEST"}},
            UpdateExpression="SET fetched_at = :t",
            ExpressionAttributeValues={":t": {"S": old}},
        )
        # ... and the provider fails: still 200, the last forecast, flagged stale
        http.post(f"{sandbox}/_faults", json={"status": 503}, timeout=TIMEOUT).raise_for_status()
        assert (
            http.get(f"{sandbox}/v1/forecast?latitude=2.77&longitude=32.31", timeout=TIMEOUT).status_code
            == 503
        )
        reply = http.get(f"{soko.url}/weather/Gulu", timeout=TIMEOUT)
        assert reply.status_code == 200, reply.text
        stale = reply.json()
        assert stale["stale"] is True and stale["fetched_at"] == old and stale["days"] == fresh["days"]

        never_cached = http.get(f"{soko.url}/weather/Arua", timeout=TIMEOUT)
        assert (
            never_cached.status_code == 503
            and never_cached.json()["error"]["code"] == "DEPENDENCY_UNAVAILABLE"
        )
    finally:
        http.delete(f"{sandbox}/_faults", timeout=TIMEOUT)
        http.delete(f"{sandbox}/_forecast", timeout=TIMEOUT)
