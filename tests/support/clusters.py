"""Trader clusters' test population: planted buyer segments, and a queue that catches
ClustersTrained (used by the clusters functional and end-to-end tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from soko.groups.clusters_features import Behaviour


def segment(prefix: str, count: int, crop: str, district: str, kg: int, days: list[str]) -> list[Behaviour]:
    """``count`` buyers who all buy ``kg`` of ``crop`` in ``district`` on ``days`` (kg varies a little)."""
    return [
        Behaviour(
            buyer_id=f"{prefix}{i:02d}",
            orders=len(days),
            grams=(kg + i) * 1000 * len(days),
            crop_grams={crop: (kg + i) * 1000 * len(days)},
            district_orders={district: len(days)},
            days=days,
        )
        for i in range(count)
    ]


WEEKLY = [f"2026-{m:02d}-{d:02d}" for m in (9, 10) for d in (1, 8, 15, 22)]
MONTHLY = ["2026-06-03", "2026-07-02", "2026-08-05", "2026-09-01"]


def population() -> list[Behaviour]:
    return (
        segment("BEANS", 8, "yellow_beans", "Lira", 400, WEEKLY)
        + segment("MAIZE", 8, "maize_grain", "Mbale", 3000, MONTHLY)
        + segment("MATOKE", 8, "matoke", "Kampala", 60, WEEKLY[:5])
    )


def clusters_queue(events: Any, sqs: Any, bus: str) -> tuple[str, Callable[[], None]]:
    """An SQS queue that receives the bus's ClustersTrained events (url, cleanup)."""
    url = sqs.create_queue(QueueName="test-clusters-trained")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="test-clusters-trained",
        EventBusName=bus,
        EventPattern=json.dumps({"detail-type": ["ClustersTrained"]}),
    )
    events.put_targets(Rule="test-clusters-trained", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])

    def cleanup() -> None:
        events.remove_targets(Rule="test-clusters-trained", EventBusName=bus, Ids=["q"])
        events.delete_rule(Name="test-clusters-trained", EventBusName=bus)
        sqs.delete_queue(QueueUrl=url)

    return url, cleanup
