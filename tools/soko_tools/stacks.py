"""A deployed stack's outputs (the tools' ``--stack`` option)."""

from __future__ import annotations


def output(stack: str, key: str) -> str:
    import boto3  # noqa: PLC0415  (only when a deployed stack is asked for)

    stacks = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    for item in stacks[0].get("Outputs", []):
        if item["OutputKey"] == key:
            return str(item["OutputValue"])
    raise SystemExit(f"stack {stack} has no {key} output")
