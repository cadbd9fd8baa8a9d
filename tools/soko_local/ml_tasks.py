"""The price layer's tasks against the running local runtime: ``make ingest-wfp``,
``make generate-data``, ``make train``; matching's ``make ingest-bootstrap``; and the groups'
trader clusters, ``make train-groups``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from soko_local.local_aws import use_local_runtime


def _local(port: int) -> dict[str, Any]:
    endpoints = use_local_runtime(port)
    return {**endpoints["outputs"], "state_machines": endpoints["state_machines"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "task", choices=["ingest-wfp", "generate-data", "train", "ingest-bootstrap", "train-groups"]
    )
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument(
        "--no-generate", action="store_true", help="train-groups: never add the generated buyer history"
    )
    args = parser.parse_args(argv)
    outputs = _local(args.port)
    if args.task == "train":
        return _train(outputs["state_machines"]["TrainingStateMachine"])
    if args.task == "train-groups":
        return _train_groups(outputs, generate=not args.no_generate)
    if args.task == "ingest-bootstrap":
        return _bootstrap(outputs["state_machines"]["BootstrapStateMachine"])
    if args.task == "generate-data":
        from datetime import UTC, datetime  # noqa: PLC0415

        from soko.ml.dal import MlDal  # noqa: PLC0415
        from soko_tools.synthetic import generate  # noqa: PLC0415

        count = MlDal(outputs["MlTableName"]).load_observations(
            generate(datetime.now(UTC).date()), counter="synthetic_count"
        )
        print(f"generated {count} synthetic weekly observations (source=synthetic) for the crops WFP lacks")
        return 0
    from soko_tools.wfp import load_wfp  # noqa: PLC0415  (after AWS_ENDPOINT_URL points at the runtime)

    print(f"loaded {load_wfp(outputs['MlTableName'])} WFP observations into {outputs['MlTableName']}")
    return 0


def _train(state_machine: str) -> int:
    """Run the training state machine (as the weekly schedule does) and report each pair."""
    import boto3  # noqa: PLC0415

    sfn = boto3.client("stepfunctions")
    started = time.monotonic()
    name = f"make-train-{int(time.time())}"
    arn = sfn.start_execution(stateMachineArn=state_machine, name=name, input="{}")["executionArn"]
    while (execution := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        time.sleep(1)
    print(f"training {execution['status']} in {time.monotonic() - started:.1f} s")
    if execution["status"] != "SUCCEEDED":
        print(execution.get("error"), execution.get("cause"))
        return 1
    results = json.loads(execution["output"]).get("results", [])
    for result in results:
        outcome = result.get("result", result)
        if outcome.get("failed"):
            print(f"  {outcome['market']:>16} {outcome['crop']:<15} FAILED {outcome.get('error')}")
        else:
            print(
                f"  {outcome['market']:>16} {outcome['crop']:<15} {outcome['method']:<16} "
                f"inner MAPE {outcome['inner_mape']:.3f} (naive {outcome['naive_mape']:.3f})"
            )
    print(
        f"{sum(1 for r in results if not r.get('result', r).get('failed'))} of {len(results)} pairs trained"
    )
    return 0


GENERATED_BELOW = 30  # buyers with orders: fewer, and train-groups adds the generated history


def _groups_table() -> str:
    """The local runtime's GroupsTable (its physical name carries the logical id)."""
    import boto3  # noqa: PLC0415

    names = boto3.client("dynamodb").list_tables()["TableNames"]
    found = [n for n in names if "GroupsTable" in n]
    if len(found) != 1:
        raise SystemExit(f"error: expected one GroupsTable in the local runtime, found {found}")
    return str(found[0])


def _train_groups(outputs: dict[str, Any], *, generate: bool) -> int:
    """Run the trader-clusters state machine (as the weekly schedule does). A dev world with too few
    buyers is given a GENERATED history first (evaluate_groups' planted segments; every such buyer
    is marked ``generated`` and named GEN-...), and says so."""
    import boto3  # noqa: PLC0415

    from soko.groups.dal_clusters import ClustersDal  # noqa: PLC0415
    from soko_tools import evaluate_groups  # noqa: PLC0415

    dal = ClustersDal(_groups_table(), outputs["ModelsBucketName"])
    real = dal.count_buyers()
    if generate and real < GENERATED_BELOW:
        world = evaluate_groups.generate()
        for buyer in world.buyers:
            dal.put_generated(buyer.train.model_copy(update={"buyer_id": f"GEN-{buyer.id}"}))
        print(
            f"{real} buyers have orders in this dev world: added a GENERATED history of {len(world.buyers)} "
            f"buyers in {len(evaluate_groups.SEGMENTS)} planted segments (ids GEN-..., marked generated)"
        )
    sfn = boto3.client("stepfunctions")
    started = time.monotonic()
    arn = sfn.start_execution(
        stateMachineArn=outputs["state_machines"]["GroupClustersStateMachine"],
        name=f"make-train-groups-{int(time.time())}",
        input="{}",
    )["executionArn"]
    while (execution := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        time.sleep(0.5)
    print(f"clusters training {execution['status']} in {time.monotonic() - started:.1f} s")
    if execution["status"] != "SUCCEEDED":
        print(execution.get("error"), execution.get("cause"))
        return 1
    result = json.loads(execution["output"])
    if not result.get("trained"):
        print(f"no model: {result.get('reason')}")
        return 0
    print(
        f"model {result['version']}: k = {result['k']} (silhouette {result['silhouette']:.3f}) on "
        f"{result['buyers']} buyers ({result['generated_buyers']} generated)"
    )
    for cluster in result["clusters"]:
        print(f"  {cluster['label']:<40} {cluster['size']:>5} buyers")
    return 0


def _bootstrap(state_machine: str) -> int:
    """Rebuild the matching feature store from the users and market tables, then reset caches."""
    import boto3  # noqa: PLC0415

    sfn = boto3.client("stepfunctions")
    started = time.monotonic()
    arn = sfn.start_execution(
        stateMachineArn=state_machine, name=f"make-bootstrap-{int(time.time())}", input="{}"
    )["executionArn"]
    while (execution := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        time.sleep(1)
    print(f"bootstrap {execution['status']} in {time.monotonic() - started:.1f} s")
    if execution["status"] != "SUCCEEDED":
        print(execution.get("error"), execution.get("cause"))
        return 1
    print(
        f"{json.loads(execution['output']).get('total', 0)} farmer and buyer profiles rebuilt; caches reset"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
