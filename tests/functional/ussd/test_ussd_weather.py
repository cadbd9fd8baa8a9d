"""USSD ``8 Weather`` through UssdFunction in-process (moto from the template, the Open-Meteo twin
over HTTP): a caller who is not registered picks a district and reads its week; with the provider
failing after the cache period the screen says the forecast is old; a district never fetched
while the provider fails ends politely."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest
from conftest import REGION, Handset

from soko.shared import clock
from soko_local.provision import Deployment
from support.lambda_env import make_invoker
from support.sandbox import SandboxServer

PHONE = "+256772000819"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer()
    yield server
    server.close()


@pytest.fixture
def phone(
    deployment: Deployment, sandbox: SandboxServer, token: str, monkeypatch: pytest.MonkeyPatch
) -> Handset:
    invoke = make_invoker(
        deployment,
        overrides=lambda: {"WEATHER_BASE_URL": f"{sandbox.url}/_sandbox/weather"},
        setenv=monkeypatch.setenv,
    )
    return Handset(invoke, token, PHONE)


def test_an_unregistered_caller_picks_a_district_and_reads_its_week(
    phone: Handset, sandbox: SandboxServer, deployment: Deployment
) -> None:
    sandbox.post("/weather/_forecast", {"district": "Gulu", "day_offset": 1, "rain_mm": 45})
    assert "\n8 Weather\n" in phone.dial().text  # then "9 My coop"
    ask = phone.dial("8")
    assert ask.text == "CON Weather: enter a district (e.g. Gulu):"
    assert phone.dial("8", "Atlantis").text.startswith("CON Unknown district.")
    week = phone.dial("8", "gulu")
    lines = week.text.split("\n")
    assert week.ended and lines[0] == "END Weather in Gulu (rain, temp):"
    assert len(lines) == 8 and lines[2].split(": ")[1].startswith("45mm, ")

    # the cache period passes and the provider fails: the same days, said to be old
    table = boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["WeatherTable"])
    old = clock.iso(clock.now() - timedelta(hours=4))
    table.update_item(
        Key={"pk": "FORECAST#Gulu", "sk": "LATEST"},
        UpdateExpression="SET fetched_at = :t",
        ExpressionAttributeValues={":t": old},
    )
    sandbox.post("/weather/_faults", {"status": 503})
    stale = phone.dial("8", "Gulu").text.split("\n")
    assert stale[1].startswith("Old forecast, from ") and stale[2:] == lines[1 : len(stale) - 1]

    never = phone.dial("8", "Arua")
    assert never.ended and "not available" in never.text
