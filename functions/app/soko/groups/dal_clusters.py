"""Trader clusters' data access: the buyer-behaviour projection in GroupsTable and the models
bucket's cluster models. The only clusters module that touches boto3.

| item | pk | sk | gsi1pk / gsi1sk |
|---|---|---|---|
| a buyer's behaviour | ``BUYER#<buyer>`` | ``BEHAVIOUR`` | ``CLUSTERS#BUYERS`` / ``<buyer>`` |
| an order counted (TTL 400 days) | ``BUYER#<buyer>`` | ``ORDER#<order>`` | |
| the current model | ``CLUSTERS#CURRENT`` | ``MODEL`` | |

The behaviour item holds ``orders``, ``completed``, ``grams``, ``cg_<crop>`` (grams per crop),
``dn_<district>`` (orders per district), ``days`` (a string set of ISO order dates) and
``generated`` (true only for ``make train-groups``' generated dev history). An order is counted once
whatever the events' redelivery or order: the ``ORDER#`` item is written in the same transaction
as the counters, on a condition. Training lists every buyer with one Query of the ``gsi1``
partition (never a Scan).

Models bucket: ``models/group-clusters/<version>.json`` (the model document, docs/aggregation.md)
and ``snapshots/group-clusters/<version>.json`` (a training run's buyers).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from soko.groups.clusters_features import Behaviour, OrderSeen
from soko.shared import aws, dynamo

BUYERS_PARTITION = "CLUSTERS#BUYERS"
CURRENT_KEY = {"pk": "CLUSTERS#CURRENT", "sk": "MODEL"}
MODEL_PREFIX = "models/group-clusters/"
SNAPSHOT_PREFIX = "snapshots/group-clusters/"
ORDER_TTL_SECONDS = 400 * 24 * 3600
_CROP, _DISTRICT = "cg_", "dn_"


def model_key(version: str) -> str:
    return f"{MODEL_PREFIX}{version}.json"


def _behaviour(item: dict[str, Any]) -> Behaviour:
    return Behaviour(
        buyer_id=str(item["gsi1sk"]),
        orders=int(item.get("orders", 0)),
        completed=int(item.get("completed", 0)),
        grams=int(item.get("grams", 0)),
        crop_grams={k[len(_CROP) :]: int(v) for k, v in item.items() if k.startswith(_CROP)},
        district_orders={k[len(_DISTRICT) :]: int(v) for k, v in item.items() if k.startswith(_DISTRICT)},
        days=sorted(item.get("days", [])),
        generated=bool(item.get("generated", False)),
    )


class ClustersDal(dynamo.TableDal):
    def __init__(self, table_name: str, bucket_name: str = ""):
        super().__init__(table_name)
        self.bucket_name = bucket_name

    # ---- the projection ----

    def _count(self, order: OrderSeen, completed: int) -> dict[str, Any]:
        return self._update(
            {"pk": f"BUYER#{order.buyer_id}", "sk": "BEHAVIOUR"},
            "ADD orders :one, completed :done, grams :g, #crop :g, #district :one, days :day "
            "SET gsi1pk = :part, gsi1sk = :buyer",
            names={"#crop": f"{_CROP}{order.crop}", "#district": f"{_DISTRICT}{order.district}"},
            values={
                ":one": 1,
                ":done": completed,
                ":g": order.grams,
                ":day": {order.day},
                ":part": BUYERS_PARTITION,
                ":buyer": order.buyer_id,
            },
        )

    def _marker(self, order: OrderSeen, *, completed: bool) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": f"BUYER#{order.buyer_id}",
            "sk": f"ORDER#{order.order_id}",
            "expires_at": int(time.time()) + ORDER_TTL_SECONDS,
        }
        if completed:
            item["completed"] = True
        return self._put_new(item)

    def order_placed(self, order: OrderSeen) -> bool:
        """Count the order once (False when it was already counted)."""
        codes = dynamo.transact([self._marker(order, completed=False), self._count(order, 0)])
        return not codes

    def order_completed(self, order: OrderSeen) -> bool:
        """Mark the counted order completed once; count it too if its placing was never seen. False
        when nothing changed (already completed)."""
        key = {"pk": f"BUYER#{order.buyer_id}", "sk": f"ORDER#{order.order_id}"}
        codes = dynamo.transact(
            [
                self._update(
                    key,
                    "SET completed = :yes",
                    condition="attribute_exists(pk) AND attribute_not_exists(completed)",
                    values={":yes": True},
                ),
                self._update(
                    {"pk": f"BUYER#{order.buyer_id}", "sk": "BEHAVIOUR"},
                    "ADD completed :one",
                    values={":one": 1},
                ),
            ]
        )
        if not codes:
            return True
        codes = dynamo.transact([self._marker(order, completed=True), self._count(order, 1)])
        return not codes

    def put_generated(self, behaviour: Behaviour) -> None:
        """Store a generated buyer's whole behaviour (``make train-groups`` on an empty dev world)."""
        item: dict[str, Any] = {
            "pk": f"BUYER#{behaviour.buyer_id}",
            "sk": "BEHAVIOUR",
            "gsi1pk": BUYERS_PARTITION,
            "gsi1sk": behaviour.buyer_id,
            "orders": behaviour.orders,
            "completed": behaviour.completed,
            "grams": behaviour.grams,
            "generated": True,
            **{f"{_CROP}{c}": g for c, g in behaviour.crop_grams.items()},
            **{f"{_DISTRICT}{d}": n for d, n in behaviour.district_orders.items()},
        }
        if behaviour.days:
            item["days"] = set(behaviour.days)
        self._table.put_item(Item=item)

    def behaviour(self, buyer_id: str) -> Behaviour | None:
        item = self._get(f"BUYER#{buyer_id}", "BEHAVIOUR")
        return _behaviour(item) if item and "gsi1sk" in item else None

    def buyers(self) -> Iterator[Behaviour]:
        """Every buyer's behaviour (one gsi1 partition, page after page)."""
        query = {
            "IndexName": "gsi1",
            "KeyConditionExpression": dynamo.key("gsi1pk").eq(BUYERS_PARTITION),
        }
        for item in dynamo.read_all_pages(self._table, **query):
            yield _behaviour(item)

    def count_buyers(self) -> int:
        query = {
            "IndexName": "gsi1",
            "KeyConditionExpression": dynamo.key("gsi1pk").eq(BUYERS_PARTITION),
            "Select": "COUNT",
        }
        total, start = 0, None
        while True:
            response = self._table.query(**query, **({"ExclusiveStartKey": start} if start else {}))
            total += int(response.get("Count", 0))
            start = response.get("LastEvaluatedKey")
            if not start:
                return total

    # ---- the models ----

    def put_model(self, document: dict[str, Any]) -> str:
        """Store the model document and make it current (the pointer item); returns its key."""
        key = model_key(str(document["version"]))
        aws.client("s3").put_object(
            Bucket=self.bucket_name,
            Key=key,
            Body=json.dumps(document).encode(),
            ContentType="application/json",
        )
        self._table.put_item(
            Item={
                **CURRENT_KEY,
                "version": document["version"],
                "key": key,
                "k": document["k"],
                "silhouette": str(document["silhouette"]),
                "buyers": document["buyers"],
                "trained_at": document["trained_at"],
            }
        )
        return key

    def current(self) -> dict[str, Any] | None:
        """The current model's pointer (version, key, k, ...), or None before the first training."""
        return self._get(CURRENT_KEY["pk"], CURRENT_KEY["sk"])

    def put_snapshot(self, version: str, behaviours: list[Behaviour]) -> str:
        """Store a training run's buyers (so the train task reads exactly what load saw)."""
        key = f"{SNAPSHOT_PREFIX}{version}.json"
        body = json.dumps({"buyers": [b.model_dump() for b in behaviours]}).encode()
        aws.client("s3").put_object(
            Bucket=self.bucket_name, Key=key, Body=body, ContentType="application/json"
        )
        return key

    def snapshot(self, key: str) -> list[Behaviour]:
        body = aws.client("s3").get_object(Bucket=self.bucket_name, Key=key)["Body"].read()
        return [Behaviour.model_validate(b) for b in json.loads(body)["buyers"]]

    def model(self, key: str) -> dict[str, Any]:
        body = aws.client("s3").get_object(Bucket=self.bucket_name, Key=key)["Body"].read()
        document: dict[str, Any] = json.loads(body)
        return document
