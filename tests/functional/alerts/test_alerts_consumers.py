"""The firing consumer with events built from the price layer's contracts: threshold alerts from
PricesObserved (Query of the pair only, once per rule and week, stale prices never fire, a repeated
or re-published event sends nothing twice, a failed publish is retried), forecast-move alerts from
ModelTrained; the weekly digest job's fan-out and the digest consumer."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import boto3
import pytest
from alerts_support import Captured, Gateway

from soko.alerts import logic
from soko.ml.events import ModelTrained, PricesObserved
from soko.ml.models import Forecast, WeeklyPrice
from soko.ml.public import PriceReader
from soko_local.provision import Deployment
from support.events import eventbridge_event, sqs_event
from support.lambda_env import Invoke
from support.users import User, new_user

TODAY = logic.today()


def observed(
    price: int, *, day: date = TODAY, crop: str = "maize_grain", market: str = "Lira", **kw: Any
) -> dict[str, Any]:
    detail = PricesObserved(market=market, crop=crop, source="wfp", day=day, price_ugx=price, **kw)
    return eventbridge_event("soko.ml", "PricesObserved", detail.model_dump(mode="json"))


def trained(market: str = "Lira", crop: str = "maize_grain") -> dict[str, Any]:
    detail = ModelTrained(
        market=market, crop=crop, model_version="v1", method="ets", data_through=str(TODAY), observations=40
    )
    return eventbridge_event("soko.ml", "ModelTrained", detail.model_dump(mode="json"))


def subscribe(gateway: Gateway, user: User, **rules: Any) -> str:
    body = {"crop": "maize", "market": "Lira", **rules}
    return str(gateway.post("/alerts", body, user=user).expect(201).json["id"])


def fire(invoker: Invoke, *events: dict[str, Any]) -> dict[str, Any]:
    return dict(invoker("AlertsFiringFunction", sqs_event(*events)))


def test_a_price_below_the_threshold_fires_once_per_week(
    gateway: Gateway, invoker: Invoke, captured: Captured
) -> None:
    user = new_user()
    alert_id = subscribe(gateway, user, below_ugx=900)
    other = subscribe(gateway, new_user(), above_ugx=2000)  # same pair, not crossed
    subscribe(gateway, new_user(), crop="beans", below_ugx=5000)  # another pair: never read
    gateway.operations.clear()
    event = observed(880)
    assert fire(invoker, event) == {"batchItemFailures": []}
    assert "Scan" not in gateway.operations
    [notice] = captured.of("PriceAlertTriggered")
    assert notice.user_id == user.id and notice.phone is None and notice.category == "alerts"
    assert notice.notice_id == f"alert:{alert_id}:below:{logic.week(TODAY)}"
    assert notice.data["alert_id"] == alert_id and notice.data["price_ugx"] == 880
    assert "880" in notice.sms.en and "today" in notice.sms.en and "leero" in notice.sms.lg
    assert len(notice.sms.en) <= 160 and len(notice.sms.lg) <= 160
    assert other not in json.dumps(notice.data)
    # the same event again (redelivered), and a new observation in the same week: nothing more
    fire(invoker, event)
    fire(invoker, observed(850))
    assert len(captured.of("PriceAlertTriggered")) == 1


def test_a_stale_price_never_fires(gateway: Gateway, invoker: Invoke, captured: Captured) -> None:
    subscribe(gateway, new_user(), below_ugx=900)
    fire(invoker, observed(500, day=TODAY - timedelta(days=400)))
    assert captured.events == []


def test_a_failed_publish_fails_the_record_and_is_retried(
    gateway: Gateway, invoker: Invoke, captured: Captured
) -> None:
    subscribe(gateway, new_user(), above_ugx=1000)
    event = observed(1200)
    captured.fail_publish = True
    answer = fire(invoker, event, trained(market="Gulu"))  # the other record (no subscribers) passes
    assert len(answer["batchItemFailures"]) == 1 and captured.events == []
    captured.fail_publish = False
    assert fire(invoker, event) == {"batchItemFailures": []}  # the claim was released
    assert len(captured.of("PriceAlertTriggered")) == 1


def test_a_malformed_event_fails_its_record_alone(
    gateway: Gateway, invoker: Invoke, captured: Captured
) -> None:
    subscribe(gateway, new_user(), above_ugx=1000)
    bad = eventbridge_event("soko.ml", "PricesObserved", {"market": "Lira"})
    answer = fire(invoker, bad, observed(1500))
    assert len(answer["batchItemFailures"]) == 1
    assert len(captured.of("PriceAlertTriggered")) == 1


@pytest.fixture
def lira_forecast(monkeypatch: pytest.MonkeyPatch) -> None:
    weeks = [
        WeeklyPrice(week_start=TODAY + timedelta(days=7 * i), price=p, lower=p - 100, upper=p + 100)
        for i, p in enumerate((1050, 1100, 1150, 1250))
    ]
    forecast = Forecast(
        market="Lira",
        crop="maize_grain",
        predictions=weeks,
        source="model",
        data_through=TODAY - timedelta(days=3),
    )
    monkeypatch.setattr(PriceReader, "forecast", lambda self, market, crop, weeks_ahead=4: forecast)
    monkeypatch.setattr(PriceReader, "latest_price", lambda self, market, crop: 1000.0)


@pytest.mark.usefixtures("lira_forecast")
def test_a_forecast_move_fires_after_training(gateway: Gateway, invoker: Invoke, captured: Captured) -> None:
    user = new_user()
    alert_id = subscribe(gateway, user, forecast_move_pct=20)
    subscribe(gateway, new_user(), forecast_move_pct=30)  # a 25% move is not more than 30%
    fire(invoker, trained())
    [notice] = captured.of("PriceAlertTriggered")
    assert notice.user_id == user.id and notice.notice_id == f"alert:{alert_id}:move:{logic.week(TODAY)}"
    assert "up 25%" in notice.sms.en and "bweyongera 25%" in notice.sms.lg and "3 days old" in notice.sms.en
    fire(invoker, trained())
    assert len(captured.of("PriceAlertTriggered")) == 1


def _digest_messages(deployment: Deployment) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    url = deployment.physical["AlertsDigestQueue"]
    url = url if url.startswith("http") else sqs.get_queue_url(QueueName=url)["QueueUrl"]
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        messages += batch
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return messages


@pytest.mark.usefixtures("lira_forecast")
def test_the_weekly_digest_fans_out_and_compiles_once_per_subscriber(
    gateway: Gateway, invoker: Invoke, captured: Captured, deployment: Deployment
) -> None:
    users = [new_user() for _ in range(3)]
    for user in users:
        subscribe(gateway, user, digest=True)
        subscribe(gateway, user, market="Gulu", digest=True)
    subscribe(gateway, new_user(), below_ugx=900)  # no digest
    _digest_messages(deployment)
    gateway.operations.clear()
    assert invoker("AlertsDigestJobFunction", {"detail-type": "Scheduled Event", "detail": {}}) == {
        "pages": 1
    }
    assert "Scan" not in gateway.operations
    [message] = _digest_messages(deployment)
    body = json.loads(message["Body"])
    assert sorted(body["owners"]) == sorted(f"USER#{u.id}" for u in users)
    record = sqs_event()
    record["Records"] = [{**sqs_event({})["Records"][0], "body": message["Body"]}]
    assert invoker("AlertsDigestFunction", record) == {"batchItemFailures": []}
    notices = captured.of("PriceDigestCompiled")
    assert sorted(n.user_id for n in notices) == sorted(u.id for u in users)
    assert all(n.data["alerts"] == 2 and "1,000" in n.sms.en and len(n.sms.en) <= 306 for n in notices)
    invoker("AlertsDigestFunction", record)  # redelivered: nothing twice
    assert len(captured.of("PriceDigestCompiled")) == 3
