"""District weather over HTTP against the real application under the local runtime, its adapter
pointed at the Open-Meteo twin by the template parameter: `GET /weather/Gulu` answers 7 days from
the sandbox; with the sandbox failing it stays up, answering the last forecast flagged stale."""

from __future__ import annotations

import time
import uuid
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


def test_heavy_rain_sends_one_advice_sms_to_a_basic_phone_farmer(soko: Any, http: requests.Session) -> None:
    """A farmer registered on a basic phone in Kitgum; the sandbox forecasts 60 mm there tomorrow; the
    heavy-rain job (every 6 hours; fired here) advises them by SMS, once, however often it runs."""
    from .test_ussd import PIN, Phone, _ussd_url  # noqa: PLC0415

    number = f"+2567723{uuid.uuid4().int % 100000:05d}"
    phone = Phone(http, _ussd_url(soko, http), number)
    assert phone.dial("5", "Okello Denis", "Kitgum", PIN, PIN).startswith("END Welcome to Soko")
    sandbox = f"{soko.url}/_sandbox/weather"
    # the district's forecast is fetched afresh (a copy cached before the rain was set is dropped)
    soko.client("dynamodb").delete_item(
        TableName=soko.endpoints["outputs"]["WeatherTableName"],
        Key={"pk": {"S": "FORECAST#Kitgum"}, "sk": {"S": "LATEST"}},
    )
    control = {"district": "Kitgum", "day_offset": 1, "rain_mm": 60}
    http.post(f"{sandbox}/_forecast", json=control, timeout=TIMEOUT).raise_for_status()
    try:
        for _ in range(2):  # a second run finds the same rain: no second advice
            run = http.post(f"{soko.url}/_local/schedules/WeatherHeavyRainFunctionSchedule/run", timeout=300)
            assert run.status_code == 200 and run.json()["ok"], run.text
        deadline = time.monotonic() + 90
        messages: list[str] = []
        while not messages and time.monotonic() < deadline:
            outbox = http.get(f"{soko.url}/_sandbox/sms/outbox", params={"to": number}, timeout=TIMEOUT)
            messages = [m["message"] for m in outbox.json()["messages"] if "rain" in m["message"].lower()]
            time.sleep(0.5)
        time.sleep(5)  # anything more the pipeline would send has had time to arrive
        outbox = http.get(f"{soko.url}/_sandbox/sms/outbox", params={"to": number}, timeout=TIMEOUT)
        messages = [m["message"] for m in outbox.json()["messages"] if "rain" in m["message"].lower()]
        assert len(messages) == 1, messages
        assert "Heavy rain expected in Kitgum" in messages[0] and "60 mm" in messages[0], messages
        assert len(messages[0]) <= 160
    finally:
        http.delete(f"{sandbox}/_forecast", timeout=TIMEOUT)
