"""The price layer end to end: observations -> the training state machine (Step Functions in the
local runtime, Lambda tasks on our workers) -> forecasts served by POST /ml/price/predict."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import requests

from .conftest import RunningRuntime


def _observe(soko: RunningRuntime, market: str, crop: str, prices: list[float]) -> None:
    table = soko.endpoints["outputs"]["MlTableName"]
    dynamodb = soko.client("dynamodb")
    months = [date(2022 + (m // 12), m % 12 + 1, 15) for m in range(len(prices))]
    for day, price in zip(months, prices, strict=True):
        item = {
            "pk": f"OBS#{market}#{crop}",
            "sk": f"{day.isoformat()}#wfp#retail",
            "date": day.isoformat(),
            "price": str(Decimal(str(price))),
            "source": "wfp",
            "pricetype": "retail",
            "status": "accepted",
            "market": market,
            "crop": crop,
        }
        dynamodb.put_item(
            TableName=table, Item={k: ({"N": v} if k == "price" else {"S": v}) for k, v in item.items()}
        )
    dynamodb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "COVERAGE"},
            "sk": {"S": f"{crop}#{market}"},
            "crop": {"S": crop},
            "market": {"S": market},
            "wfp_count": {"N": str(len(prices))},
        },
    )


def _predict(http: requests.Session, soko: RunningRuntime, market: str, crop: str) -> dict[str, Any]:
    response = http.post(
        f"{soko.url}/ml/price/predict", json={"market": market, "crop": crop, "weeks_ahead": 4}, timeout=30
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_training_replaces_the_fallback_with_a_model(soko: RunningRuntime, http: requests.Session) -> None:
    crop = "millet"
    prices = [2000 + 15 * m + (60 if m % 3 == 0 else -30) for m in range(36)]
    _observe(soko, "Masaka", crop, prices)
    _observe(soko, "Kabale", crop, prices[:10])  # too short: the run must catch it, not fail
    events = soko.client("events")
    sqs = soko.client("sqs")
    queue = sqs.create_queue(QueueName=f"test-trained-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    rule = f"test-trained-{uuid.uuid4().hex[:8]}"
    bus = soko.endpoints["outputs"]["EventBusName"]
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"detail-type": ["ModelTrained"]}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    try:
        before = _predict(http, soko, "masaka", "Millet")
        assert before["source"] == "seasonal_fallback"
        assert before["data_through"] == "2024-12-15"

        sfn = soko.client("stepfunctions")
        arn = sfn.start_execution(
            stateMachineArn=soko.endpoints["state_machines"]["TrainingStateMachine"],
            name=uuid.uuid4().hex,
            input="{}",
        )["executionArn"]
        deadline = time.monotonic() + 600  # Prophet at every inner origin: minutes on a loaded 2-core machine
        while (run := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
            assert time.monotonic() < deadline, "training did not finish"
            time.sleep(1)
        assert run["status"] == "SUCCEEDED", run
        results = [r.get("result", r) for r in json.loads(run["output"])["results"]]
        masaka = next(r for r in results if r.get("market") == "Masaka" and r.get("crop") == crop)
        assert masaka["method"]

        after = _predict(http, soko, "Masaka", crop)  # the cached fallback was dropped
        assert after["source"] == "model"
        assert after["model_version"] == masaka["model_version"]
        assert after["data_through"] == "2024-12-15"
        assert len(after["predictions"]) == 4
        assert all(p["lower"] < p["price"] < p["upper"] for p in after["predictions"])

        trained = []
        for _ in range(30):
            for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            ):
                trained.append(json.loads(message["Body"]))
            if any(e["detail"]["market"] == "Masaka" and e["detail"]["crop"] == crop for e in trained):
                break
        event = next(e for e in trained if e["detail"]["market"] == "Masaka" and e["detail"]["crop"] == crop)
        assert event["source"] == "soko.ml"
        assert event["detail"]["model_version"] == masaka["model_version"]
        models = soko.client("s3").list_objects_v2(
            Bucket=soko.endpoints["outputs"]["ModelsBucketName"], Prefix=f"models/Masaka/{crop}/"
        )
        assert [o["Key"] for o in models.get("Contents", [])] == [
            f"models/Masaka/{crop}/{masaka['model_version']}.json"
        ]
    finally:
        events.remove_targets(Rule=rule, EventBusName=bus, Ids=["q"])
        events.delete_rule(Name=rule, EventBusName=bus)
        sqs.delete_queue(QueueUrl=queue)


def test_unknown_values_get_a_422_that_lists_the_valid_ones(
    soko: RunningRuntime, http: requests.Session
) -> None:
    bad_market = http.post(
        f"{soko.url}/ml/price/predict", json={"market": "Narnia", "crop": "maize"}, timeout=30
    )
    bad_crop = http.post(
        f"{soko.url}/ml/price/predict", json={"market": "Gulu", "crop": "coffee"}, timeout=30
    )
    bad_range = http.post(
        f"{soko.url}/ml/price/predict",
        json={"market": "Gulu", "crop": "maize", "weeks_ahead": 13},
        timeout=30,
    )

    assert (
        bad_market.status_code == 422 and "Kisenyi_Kampala" in bad_market.json()["error"]["details"]["valid"]
    )
    assert bad_crop.status_code == 422 and "maize_grain" in bad_crop.json()["error"]["details"]["valid"]
    assert bad_range.status_code == 422
    markets = http.get(f"{soko.url}/ml/price/markets", timeout=30).json()["items"]
    assert {"Kisenyi_Kampala", "Gulu", "Mbarara", "Mbale", "Lira", "Masaka"} <= {m["id"] for m in markets}
    crops = http.get(f"{soko.url}/ml/price/crops", timeout=30).json()["items"]
    assert [c["id"] for c in crops][:2] == ["maize_grain", "yellow_beans"]
