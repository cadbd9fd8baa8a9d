"""Prices kept current without hands, end to end on the local runtime as `make dev` starts it (the
shipped WFP prices loaded; the feed's sandbox twin at /_sandbox/wfp): WFP publishes a month for one
pair in the sandbox, the daily ingestion schedule is fired (what `make run-schedule
NAME=WfpIngestFunctionSchedule` does), the new price lands in the table, PricesObserved is on the
bus, and a training run trains that pair and no other."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from soko.shared.clock import EAT
from support.runtime import running

from .conftest import ROOT, RunningRuntime

SCHEDULE = "WfpIngestFunctionSchedule"


@pytest.fixture(scope="module")
def soko_with_prices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    workdir = tmp_path_factory.mktemp("soko_price_feed")
    with running(
        ROOT / "template.yaml", workdir, "--no-watch", "--no-train", "--parameter", "ProphetCandidate=false"
    ) as runtime:
        yield runtime


def test_a_published_month_is_ingested_announced_and_only_its_pair_retrained(
    soko_with_prices: RunningRuntime,
) -> None:
    soko = soko_with_prices
    bus = soko.endpoints["outputs"]["EventBusName"]
    events, sqs, sfn = soko.client("events"), soko.client("sqs"), soko.client("stepfunctions")
    machine = soko.endpoints["state_machines"]["TrainingStateMachine"]
    queue = sqs.create_queue(QueueName=f"test-observed-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    rule = f"test-observed-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"detail-type": ["PricesObserved"]}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    try:
        # the sandbox serves what make dev loaded: a run finds nothing new and trains nothing
        quiet = requests.post(f"{soko.url}/_local/schedules/{SCHEDULE}/run", timeout=120)
        assert quiet.status_code == 200, quiet.text
        assert quiet.json()["ok"], quiet.json()
        assert quiet.json()["result"]["written"] == 0 and quiet.json()["result"]["changed_pairs"] == []

        published = requests.post(
            f"{soko.url}/_sandbox/wfp/_publish",
            json={"markets": ["Gulu"], "commodities": ["Sorghum"]},
            timeout=10,
        )
        assert published.status_code == 201, published.text
        [row] = published.json()["rows"]
        price = round(float(row["price_ugx_per_kg"]))

        fired = requests.post(f"{soko.url}/_local/schedules/{SCHEDULE}/run", timeout=300)
        assert fired.status_code == 200, fired.text
        result: dict[str, Any] = fired.json()["result"]
        assert fired.json()["ok"], fired.json()
        assert (result["written"], result["changed_pairs"]) == (1, [["Gulu", "sorghum"]])

        stored = soko.client("dynamodb").get_item(
            TableName=soko.endpoints["outputs"]["MlTableName"],
            Key={"pk": {"S": "OBS#Gulu#sorghum"}, "sk": {"S": f"{row['date']}#wfp#retail"}},
        )["Item"]
        assert int(float(stored["price"]["N"])) == price and stored["status"]["S"] == "accepted"

        observed = []
        for _ in range(30):
            messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            observed += [json.loads(m["Body"]) for m in messages.get("Messages", [])]
            if observed:
                break
        assert [(e["source"], e["detail"]["market"], e["detail"]["crop"]) for e in observed] == [
            ("soko.ml", "Gulu", "sorghum")
        ]
        assert (observed[0]["detail"]["day"], observed[0]["detail"]["price_ugx"]) == (row["date"], price)

        # the training run the ingestion started: for Gulu sorghum only, and it trains it
        runs = sfn.list_executions(stateMachineArn=machine)["executions"]
        [run] = [r for r in runs if r["executionArn"] == result["training_run"]]
        deadline = time.monotonic() + 600  # one pair, pooled across markets, without Prophet
        while (execution := sfn.describe_execution(executionArn=run["executionArn"]))["status"] == "RUNNING":
            assert time.monotonic() < deadline, "training did not finish"
            time.sleep(1)
        assert execution["status"] == "SUCCEEDED", execution
        output = json.loads(execution["output"])
        assert [(p["market"], p["crop"]) for p in output["pairs"]] == [("Gulu", "sorghum")]
        [trained] = [r.get("result", r) for r in output["results"]]
        assert (trained["market"], trained["crop"]) == ("Gulu", "sorghum") and not trained.get("failed")
        forecast = requests.post(
            f"{soko.url}/ml/price/predict", json={"market": "Gulu", "crop": "sorghum"}, timeout=30
        ).json()
        assert (forecast["source"], forecast["model_version"]) == ("model", trained["model_version"])
        assert forecast["data_through"] == row["date"]  # the new month is in the served model
    finally:
        events.remove_targets(Rule=rule, EventBusName=bus, Ids=["q"])
        events.delete_rule(Name=rule, EventBusName=bus)
        sqs.delete_queue(QueueUrl=queue)


# ---------------------------------------------------------------- price alerts by SMS keyword
def _outbox(soko: RunningRuntime, phone: str) -> list[str]:
    reply = requests.get(f"{soko.url}/_sandbox/sms/outbox", params={"to": phone}, timeout=30)
    return [m["message"] for m in reply.json()["messages"]]


def _until_count(soko: RunningRuntime, phone: str, count: int, seconds: float = 90) -> list[str]:
    deadline = time.monotonic() + seconds
    while len(messages := _outbox(soko, phone)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    return messages


def _inbound(soko: RunningRuntime, phone: str, text: str) -> None:
    form = {"from": phone, "to": "20880", "text": text, "date": "2026-12-02 10:00:00",
            "id": f"ATXid_{uuid.uuid4().hex}", "linkId": ""}  # fmt: skip
    reply = requests.post(f"{soko.url}/sms/inbound", data=form, timeout=30)
    assert reply.status_code == 200, reply.text


def _publish_and_ingest(soko: RunningRuntime, rows: list[dict[str, Any]]) -> dict[str, Any]:
    published = requests.post(f"{soko.url}/_sandbox/wfp/_publish", json={"rows": rows}, timeout=10)
    assert published.status_code == 201, published.text
    fired = requests.post(f"{soko.url}/_local/schedules/{SCHEDULE}/run", timeout=300)
    assert fired.status_code == 200 and fired.json()["ok"], fired.text
    return dict(fired.json()["result"])


def test_a_farmer_subscribes_by_sms_keyword_gets_one_luganda_alert_and_stop_ends_it(
    soko_with_prices: RunningRuntime,
) -> None:
    soko = soko_with_prices
    phone = f"+2567{uuid.uuid4().int % 10**8:08d}"  # no account: a phone-only subscriber
    _inbound(soko, phone, "BBEEYI KASOOLI LIRA WAGGULU 1500")
    [confirmation] = _until_count(soko, phone, 1)
    assert confirmation.startswith("Soko:") and "Lira" in confirmation and "Kasooli" in confirmation

    today = datetime.now(EAT).date()
    monday = today - timedelta(days=today.weekday())  # alerts are once per rule and week of the price
    lira_maize = {"market": "Lira", "commodity": "Maize (white)", "pricetype": "Retail"}
    result = _publish_and_ingest(soko, [{**lira_maize, "date": monday.isoformat(), "price": 2400}])
    assert ["Lira", "maize_grain"] in result["changed_pairs"], result
    messages = _until_count(soko, phone, 2)
    time.sleep(5)  # anything more the pipeline would send has had time to arrive
    messages = _outbox(soko, phone)
    assert len(messages) == 2, messages
    alert = messages[1]
    # in Luganda (they wrote in it), with the price's date and age
    assert alert.startswith("Soko: Kasooli e Lira UGX 2,400/kilo") and "emabega" in alert, alert
    assert len(alert) <= 160, alert

    # a second crossing in the same week (or a revised price that day): still one alert
    _publish_and_ingest(soko, [{**lira_maize, "date": today.isoformat(), "price": 2500}])
    time.sleep(8)
    assert len(_outbox(soko, phone)) == 2

    _inbound(soko, phone, "KOMYA")
    stopped = _until_count(soko, phone, 3)[2]
    assert stopped.startswith("Soko: tukomezza"), stopped
    _inbound(soko, phone, "KOMYA")  # nothing left to stop
    assert _until_count(soko, phone, 4)[3] == "Soko: tolina bbeeyi z'okukomya."


def test_a_forecast_move_alert_fires_after_training(soko_with_prices: RunningRuntime) -> None:
    soko = soko_with_prices
    email = f"move-{uuid.uuid4().hex[:10]}@example.com"
    password = "Mango-Season-42x"
    created = requests.post(
        f"{soko.url}/auth/register", json={"email": email, "password": password, "role": "farmer"}, timeout=30
    )
    assert created.status_code == 201, created.text
    login = requests.post(f"{soko.url}/auth/login", json={"email": email, "password": password}, timeout=30)
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    subscribed = requests.post(
        f"{soko.url}/alerts",
        json={"crop": "beans", "market": "Mbarara", "forecast_move_pct": 1},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    assert subscribed.status_code == 201, subscribed.text

    # a new, much higher Mbarara beans price: the retrained forecast 4 weeks out is not today's price
    today = datetime.now(EAT).date()
    row = {"market": "Mbarara", "commodity": "Beans", "pricetype": "Retail",
           "date": (today - timedelta(days=4)).isoformat(), "price": 9000}  # fmt: skip
    result = _publish_and_ingest(soko, [row])
    assert result["changed_pairs"] == [["Mbarara", "yellow_beans"]], result
    sfn = soko.client("stepfunctions")
    deadline = time.monotonic() + 600
    while sfn.describe_execution(executionArn=result["training_run"])["status"] == "RUNNING":
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(1)

    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + 90
    while not found and time.monotonic() < deadline:
        page = requests.get(f"{soko.url}/notifications/", headers=headers, timeout=30).json()
        found = [n for n in page["items"] if n["data"].get("rule") == "move"]
        time.sleep(0.5)
    assert len(found) == 1, found
    assert found[0]["data"]["crop"] == "yellow_beans" and found[0]["data"]["market"] == "Mbarara"
