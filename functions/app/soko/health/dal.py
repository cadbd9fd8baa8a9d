"""Health data access: the calls that prove a table and the bus answer."""

from __future__ import annotations

from soko.shared import aws


class AwsProbe:
    def table(self, name: str) -> None:
        status = aws.client("dynamodb").describe_table(TableName=name)["Table"]["TableStatus"]
        if status not in ("ACTIVE", "UPDATING"):
            raise RuntimeError(f"table is {status}")

    def bus(self, name: str) -> None:
        aws.client("events").describe_event_bus(Name=name)
