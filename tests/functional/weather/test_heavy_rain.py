"""The heavy-rain job and its consumer in-process against moto and the Open-Meteo twin: the job
publishes HeavyRainForecast once per district and day (only where farmers are, only from a fresh
forecast), and the consumer publishes one WeatherAdviceIssued notice per farmer of the district."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from soko.shared import clock, ids
from soko.weather.events import HeavyRainForecast, WeatherAdviceIssued
from soko_local.provision import Deployment
from support.events import eventbridge_event, sqs_event
from support.lambda_env import REGION, Invoke
from support.sandbox import SandboxServer

SCHEDULED: dict[str, Any] = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


@pytest.fixture(scope="module")
def weather_events(deployment: Deployment) -> str:
    """A queue that receives every soko.weather event on the bus (the test's own rule)."""
    sqs, events = boto3.client("sqs", region_name=REGION), boto3.client("events", region_name=REGION)
    url = sqs.create_queue(QueueName="weather-events-under-test")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = str(deployment.functions["WeatherHeavyRainFunction"].environment["EVENT_BUS_NAME"])
    events.put_rule(Name="weather-under-test", EventBusName=bus, EventPattern='{"source": ["soko.weather"]}')
    events.put_targets(Rule="weather-under-test", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return str(url)


def drain(url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    found: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return found
        for message in batch:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def add_farmers(deployment: Deployment, district: str, count: int) -> list[str]:
    table = boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["UsersTable"])
    farmer_ids = sorted(ids.ulid() for _ in range(count))
    with table.batch_writer() as batch:
        for farmer_id in farmer_ids:
            batch.put_item(
                Item={
                    "pk": f"USER#{farmer_id}",
                    "sk": "DIR#farmer",
                    "gsi1pk": "DIR#farmer",
                    "gsi1sk": f"{district.lower()}#{farmer_id}",
                    "id": farmer_id,
                    "full_name": "Farmer",
                    "district": district,
                }
            )
    return farmer_ids


def test_heavy_rain_is_published_once_and_each_farmer_of_the_district_is_advised(
    invoke: Invoke, deployment: Deployment, sandbox: SandboxServer, weather_events: str
) -> None:
    drain(weather_events)
    gulu = add_farmers(deployment, "Gulu", 130)  # more than one directory page
    add_farmers(deployment, "Kitgum", 1)
    sandbox.post("/weather/_forecast", {"district": "Gulu", "day_offset": 1, "rain_mm": 45.2})
    sandbox.post("/weather/_forecast", {"district": "Lira", "day_offset": 0, "rain_mm": 80})  # no farmers

    report = invoke("WeatherHeavyRainFunction", SCHEDULED)
    tomorrow = clock.now().astimezone(clock.EAT).date() + timedelta(days=1)
    assert report["alerts"] == [f"Gulu:{tomorrow.isoformat()}"]
    assert report["districts_refreshed"] == 2  # Gulu and Kitgum: the districts with farmers
    published = drain(weather_events)
    assert [(e["detail-type"], e["detail"]["district"]) for e in published] == [("HeavyRainForecast", "Gulu")]
    alert = HeavyRainForecast.model_validate(published[0]["detail"])
    assert (alert.day, alert.rain_mm) == (tomorrow, 45.2)

    assert invoke("WeatherHeavyRainFunction", SCHEDULED)["alerts"] == []  # the next run: nothing new
    assert drain(weather_events) == []

    event = eventbridge_event("soko.weather", "HeavyRainForecast", published[0]["detail"])
    assert invoke("WeatherAdviceFunction", sqs_event(event)) == {"batchItemFailures": []}
    notices = [WeatherAdviceIssued.model_validate(e["detail"]) for e in drain(weather_events)]
    assert sorted(n.user_id or "" for n in notices) == gulu
    assert all(n.urgent and n.category == "weather" for n in notices)
    assert notices[0].sms.en.startswith("Heavy rain expected in Gulu on ")
    assert len({n.notice_id for n in notices}) == 130

    # the same event again (a redelivery): the consumer is idempotent on its event id
    assert invoke("WeatherAdviceFunction", sqs_event(event)) == {"batchItemFailures": []}
    assert drain(weather_events) == []


def test_no_alert_when_the_provider_fails(
    invoke: Invoke, deployment: Deployment, sandbox: SandboxServer, weather_events: str
) -> None:
    drain(weather_events)
    add_farmers(deployment, "Masaka", 1)
    sandbox.post("/weather/_forecast", {"district": "Masaka", "day_offset": 0, "rain_mm": 90})
    sandbox.post("/weather/_faults", {"status": 503})
    report = invoke("WeatherHeavyRainFunction", SCHEDULED)
    assert report["alerts"] == [] and report["provider_failures"] >= 1
    assert drain(weather_events) == []


def test_a_malformed_event_fails_its_record_alone(invoke: Invoke, weather_events: str) -> None:
    drain(weather_events)
    bad = eventbridge_event("soko.weather", "HeavyRainForecast", {"district": "Gulu"})
    past = HeavyRainForecast(district="Gulu", day=clock.now().date() - timedelta(days=3), rain_mm=40)
    good = eventbridge_event("soko.weather", "HeavyRainForecast", past.model_dump(mode="json"))
    result = invoke("WeatherAdviceFunction", sqs_event(bad, good))
    assert len(result["batchItemFailures"]) == 1
    assert drain(weather_events) == []  # a day already past is not advised
