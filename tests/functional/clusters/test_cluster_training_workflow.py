"""The group-clusters state machine (statemachines/group_clusters.asl.json, provisioned from the
template into moto's Step Functions, its Lambda tasks run in-process): load -> train -> publish,
the model versioned in the models bucket with its CURRENT pointer, ClustersTrained on the bus."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest

from soko.groups.dal_clusters import ClustersDal
from soko_local.provision import Deployment
from support.clusters import clusters_queue, population

pytestmark = pytest.mark.usefixtures("lambda_tasks")


def _run(deployment: Deployment) -> dict[str, Any]:
    sfn = boto3.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=deployment.state_machines["GroupClustersStateMachine"],
        name=uuid.uuid4().hex,
        input="{}",
    )["executionArn"]
    deadline = time.monotonic() + 60
    while (run := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the training did not finish"
        time.sleep(0.05)
    assert run["status"] == "SUCCEEDED", run
    return dict(json.loads(run["output"]))


def test_the_workflow_trains_stores_and_announces_a_model(deployment: Deployment, dal: ClustersDal) -> None:
    for buyer in population():
        dal.put_generated(buyer)
    url, cleanup = clusters_queue(
        boto3.client("events"), boto3.client("sqs"), deployment.outputs["EventBusName"]
    )
    try:
        output = _run(deployment)
        assert output["trained"] is True and output["published"] is True
        assert output["k"] == 3 and output["buyers"] == 24 and output["generated_buyers"] == 24
        assert output["silhouette"] == max(output["silhouettes"].values())

        bucket = deployment.outputs["ModelsBucketName"]
        keys = [
            o["Key"]
            for o in boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="models/group-clusters/")[
                "Contents"
            ]
        ]
        assert keys == [f"models/group-clusters/{output['version']}.json"]
        pointer = dal.current()
        assert pointer is not None and pointer["version"] == output["version"] and pointer["key"] == keys[0]
        model = dal.model(keys[0])
        assert {c["top_crops"][0]["crop"] for c in model["clusters"]} == {
            "yellow_beans",
            "maize_grain",
            "matoke",
        }

        messages = boto3.client("sqs").receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        [event] = [json.loads(m["Body"]) for m in messages.get("Messages", [])]
        assert event["source"] == "soko.groups" and event["detail-type"] == "ClustersTrained"
        assert event["detail"]["model_version"] == output["version"] and event["detail"]["k"] == 3
    finally:
        cleanup()


def test_too_few_buyers_end_the_run_without_a_model(deployment: Deployment, dal: ClustersDal) -> None:
    for buyer in population()[:4]:
        dal.put_generated(buyer)
    output = _run(deployment)
    assert output["trained"] is False and "at least" in output["reason"]
    assert dal.current() is None
