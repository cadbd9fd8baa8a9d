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
from typing import Any

import pytest
import requests

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
