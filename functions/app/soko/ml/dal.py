"""Price-layer data access: the ML table (the only module that spells its keys).

| pattern | key |
|---|---|
| observations of a (market, crop), by date | ``OBS#<market>#<crop>`` / ``<date>#<source>#<price type>`` |
| an order's observation (one per order) | ``OBS#<market>#<crop>`` / ``<date>#order#<order id>`` |
| the served forecast of a pair | ``FORECAST#<market>#<crop>`` / ``LATEST`` |
| cached answers (24 h; dropped when a model lands) | ``PREDCACHE#<market>#<crop>`` / ``W<weeks>`` (TTL) |
| observation counts by crop and market (coverage) | ``COVERAGE`` / ``<crop>#<market>`` |
| coverage-gap counters (matching's route endpoint) | ``GAP`` / ``<catalogue crop id>`` or ``other`` |
| a price feed's state (the scheduled ingestion) | ``FEED#<feed>`` / ``STATE`` |

Other domains read this table only through :mod:`soko.ml.public`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from soko.ml.models import (
    FeedState,
    GapCounter,
    ModelDocument,
    Observation,
    PairCoverage,
    StoredForecast,
)
from soko.shared import aws, dynamo

COVERAGE = "COVERAGE"
GAP = "GAP"
LATEST = "LATEST"
COUNTERS = ("wfp_count", "order_count", "synthetic_count")
RECENT_READ = 20  # newest observations read to find the latest accepted one


def _observations_pk(market: str, crop: str) -> str:
    return f"OBS#{market}#{crop}"


def _forecast_key(market: str, crop: str) -> dict[str, str]:
    return {"pk": f"FORECAST#{market}#{crop}", "sk": LATEST}


def _cache_pk(market: str, crop: str) -> str:
    return f"PREDCACHE#{market}#{crop}"


def _observation_item(o: Observation) -> dict[str, Any]:
    item = {
        "pk": _observations_pk(o.market, o.crop),
        "sk": f"{o.day.isoformat()}#{o.source}#{o.order_id or o.pricetype}",
        "market": o.market,
        "crop": o.crop,
        "date": o.day.isoformat(),
        "price": o.price,
        "source": o.source,
        "pricetype": o.pricetype,
        "status": o.status,
        "order_id": o.order_id,
        "reason": o.reason,
    }
    return {k: v for k, v in item.items() if v is not None}


def _observation(item: dict[str, Any]) -> Observation:
    """An item as an Observation; older or hand-written items may lack the copied attributes."""
    _, market, crop = str(item["pk"]).split("#", 2)
    sk = str(item["sk"]).split("#")
    return Observation(
        market=item.get("market", market),
        crop=item.get("crop", crop),
        day=item.get("date", sk[0]),
        price=item["price"],
        source=item.get("source", sk[1] if len(sk) > 1 else "wfp"),
        pricetype=item.get("pricetype", "retail"),
        status=item.get("status", "accepted"),
        order_id=item.get("order_id"),
        reason=item.get("reason"),
    )


class MlDal(dynamo.TableDal):
    # ------------------------------------------------------------ observations
    def observations(self, market: str, crop: str) -> list[Observation]:
        """Every observation of a pair (accepted and rejected), oldest first."""
        return [
            _observation(item)
            for item in dynamo.read_all_pages(
                self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": _observations_pk(market, crop)},
            )
        ]

    def recent_accepted(self, market: str, crop: str, limit: int) -> list[Observation]:
        """Up to ``limit`` of the newest accepted observations, newest first (rejected outliers are
        kept but never used); reads at most 2 x ``limit`` items."""
        items = self._table.query(
            KeyConditionExpression="pk = :pk",
            FilterExpression="#status = :accepted",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":pk": _observations_pk(market, crop), ":accepted": "accepted"},
            ScanIndexForward=False,
            Limit=max(limit * 2, RECENT_READ),
        ).get("Items", [])
        return [_observation(item) for item in items[:limit]]

    def latest_observation(self, market: str, crop: str) -> Observation | None:
        """The most recent accepted observation."""
        found = self.recent_accepted(market, crop, 1)
        return found[0] if found else None

    def add_observation(self, observation: Observation) -> bool:
        """Store one observation once: False when it is already there (a redelivery)."""
        return self._put_if(_observation_item(observation), "attribute_not_exists(pk)")

    def upsert_observation(self, observation: Observation) -> bool:
        """Store a feed's observation if it is new or its price or status differs from the stored
        one: False when the table already holds it as it is (a repeated run, or a racing one)."""
        return dynamo.applied(
            lambda: self._table.put_item(
                Item=_observation_item(observation),
                ConditionExpression="attribute_not_exists(pk) OR price <> :price OR #status <> :status",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":price": observation.price, ":status": observation.status},
            )
        )

    def feed_state(self, feed: str) -> FeedState | None:
        item = self._get(f"FEED#{feed}", "STATE")
        return FeedState.model_validate(item) if item else None

    def save_feed_state(self, feed: str, state: FeedState) -> None:
        self._table.put_item(
            Item={"pk": f"FEED#{feed}", "sk": "STATE", **dynamo.storable(state.model_dump(mode="json"))}
        )

    def count_observation(self, market: str, crop: str, counter: str) -> None:
        """One more observation of ``counter`` (``order_count``, ...) in the pair's coverage."""
        self._table.update_item(
            Key={"pk": COVERAGE, "sk": f"{crop}#{market}"},
            UpdateExpression="ADD #c :one SET crop = :crop, market = :market",
            ExpressionAttributeNames={"#c": counter},
            ExpressionAttributeValues={":one": 1, ":crop": crop, ":market": market},
        )

    def load_observations(self, observations: Iterable[Observation], *, counter: str) -> int:
        """Write observations (a second load overwrites the same keys) and set each pair's coverage
        count ``counter`` (e.g. ``wfp_count``) to the number loaded."""
        counts: dict[tuple[str, str], int] = {}
        with self._table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for observation in observations:
                batch.put_item(Item=_observation_item(observation))
                pair = (observation.crop, observation.market)
                counts[pair] = counts.get(pair, 0) + 1
        for (crop, market), count in counts.items():
            self._table.update_item(
                Key={"pk": COVERAGE, "sk": f"{crop}#{market}"},
                UpdateExpression="SET #c = :n, crop = :crop, market = :market",
                ExpressionAttributeNames={"#c": counter},
                ExpressionAttributeValues={":n": count, ":crop": crop, ":market": market},
            )
        return sum(counts.values())

    def coverage(self) -> list[PairCoverage]:
        return [
            PairCoverage(
                market=str(item["market"]),
                crop=str(item["crop"]),
                **{name: int(item.get(name, 0)) for name in COUNTERS},
            )
            for item in dynamo.read_all_pages(
                self._table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": COVERAGE}
            )
        ]

    # ------------------------------------------------------------ forecasts and the answer cache
    def forecast(self, market: str, crop: str) -> StoredForecast | None:
        item = self._table.get_item(Key=_forecast_key(market, crop)).get("Item")
        return StoredForecast.model_validate(dynamo.plain(item)) if item else None

    def put_forecast(self, document: ModelDocument) -> None:
        """Serve ``document`` as the pair's latest forecast."""
        self._table.put_item(
            Item={
                **_forecast_key(document.market, document.crop),
                **dynamo.storable(document.model_dump(mode="json")),
            }
        )

    def cached(self, market: str, crop: str, weeks: int, now: int) -> str | None:
        """A cached answer (JSON) that has not expired."""
        item = self._table.get_item(Key={"pk": _cache_pk(market, crop), "sk": f"W{weeks}"}).get("Item")
        if not item or int(item["expires_at"]) <= now:
            return None
        return str(item["answer"])

    def cache(self, market: str, crop: str, weeks: int, answer: str, valid_until: int) -> None:
        self._table.put_item(
            Item={
                "pk": _cache_pk(market, crop),
                "sk": f"W{weeks}",
                "answer": answer,
                "expires_at": valid_until,
            }
        )

    def drop_cache(self, market: str, crop: str) -> int:
        keys = self._table.query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": _cache_pk(market, crop)},
            ProjectionExpression="pk, sk",
        ).get("Items", [])
        with self._table.batch_writer() as batch:
            for key in keys:
                batch.delete_item(Key=key)
        return len(keys)

    # ------------------------------------------------------------ coverage gaps
    def gaps(self, crops: list[str]) -> list[GapCounter]:
        """The gap counters of ``crops`` (a bounded list of keys: one BatchGetItem per 100)."""
        found: list[GapCounter] = []
        keys = [{"pk": GAP, "sk": c} for c in dict.fromkeys(crops)]
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {self.table_name: {"Keys": keys[start : start + 100]}}
            while request:
                response = aws.resource("dynamodb").batch_get_item(RequestItems=request)
                found += [
                    GapCounter(
                        crop=str(item["sk"]),
                        requests=int(item.get("requests", 0)),
                        last_requested_at=item.get("last_requested_at"),
                        districts=sorted(item.get("districts") or []),
                    )
                    for item in response["Responses"].get(self.table_name, [])
                ]
                request = response.get("UnprocessedKeys") or {}
        return found

    def count_gap(self, crop: str, district: str | None, at: str) -> None:
        names = {"#n": "requests", "#at": "last_requested_at"}
        update = "ADD #n :one SET #at = :at, crop = :crop"
        values: dict[str, Any] = {":one": 1, ":at": at, ":crop": crop}
        if district:
            update = "ADD #n :one, districts :d SET #at = :at, crop = :crop"
            values[":d"] = {district}
        self._table.update_item(
            Key={"pk": GAP, "sk": crop},
            UpdateExpression=update,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )


class TrainingRuns:
    """The training state machine's executions (Step Functions): the latest, described."""

    def __init__(self, state_machine_arn: str):
        self.arn = state_machine_arn

    def latest(self) -> dict[str, Any] | None:
        sfn = aws.client("stepfunctions")
        runs = sfn.list_executions(stateMachineArn=self.arn, maxResults=1).get("executions", [])
        if not runs:
            return None
        return dict(sfn.describe_execution(executionArn=runs[0]["executionArn"]))

    def start(self, name: str, pairs: list[tuple[str, str]]) -> str:
        """Start a run that trains only ``pairs``; the same name again is the same run (its arn)."""
        try:
            return str(
                aws.client("stepfunctions").start_execution(
                    stateMachineArn=self.arn,
                    name=name,
                    input=json.dumps({"pairs": [{"market": m, "crop": c} for m, c in pairs]}),
                )["executionArn"]
            )
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                raise
            return f"{self.arn.replace(':stateMachine:', ':execution:', 1)}:{name}"
