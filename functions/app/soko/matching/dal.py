"""Matching data access: the match table (feature store, boosts, caches), and reads of the users,
market and ML tables for bootstrap, discovery and routing. The only module here that calls AWS.

Match table (``pk``/``sk``):

| pattern | key |
|---|---|
| a farmer's features (``farmer_features``) | ``FARMER#<id>`` / ``FEATURES`` |
| a buyer's features (``buyer_features``) | ``BUYER#<id>`` / ``FEATURES`` |
| farmers by crop / district, best first | ``FARMERS#CROP#<crop>``, ``FARMERS#DIST#<d>`` / ``<static>#<id>`` |
| buyers by crop / district, best first | ``BUYERS#CROP#<crop>``, ``BUYERS#DIST#<d>`` / ``<static>#<id>`` |
| a buyer's boosts, by farmer | ``BOOST#B#<buyer>`` / ``<farmer>`` |
| a farmer's boosts, by buyer (mirror) | ``BOOST#F#<farmer>`` / ``<buyer>`` |
| a cached recommendation list | ``CACHE#<direction>#<user>`` / ``TOP`` (TTL) |
| invalidation generations | ``GEN#<partition or user or EPOCH>`` / ``GEN`` |

Candidate items are copies of the features (the index by crop and district: a list's multi-valued
crops cannot be a GSI key). Their sort key starts with the zero-padded static score (the part of the
score no requester changes: ``scoring.farmer_static`` / ``buyer_static``, in 1/10,000), so a request
reads each partition backwards with a ``Limit`` (``CANDIDATES_PER_PARTITION``): the strongest
candidates, never the whole partition. The feature record keeps its items' sort key
(``candidate_sk``); a save that changes it deletes the old items. A feature record, its candidate
items and the generations it bumps are written in one transaction guarded by the record's
``version``. A cached list records the generations it was computed from; a changed generation makes
it stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from soko.matching import scoring
from soko.matching.models import BuyerFeatures, FarmerFeatures
from soko.shared import aws, dynamo
from soko.shared.errors import Conflict

CANDIDATES_PER_PARTITION = 200  # read per crop or district partition, strongest first
_low = dynamo.serialize


class StaleFeatures(Conflict):
    code = "CONCURRENT_UPDATE"


def farmer_partitions(f: FarmerFeatures) -> set[str]:
    parts = {f"FARMERS#CROP#{c}" for c in f.specialties}
    return parts | ({f"FARMERS#DIST#{f.district.lower()}"} if f.district else set())


def buyer_partitions(b: BuyerFeatures) -> set[str]:
    parts = {f"BUYERS#CROP#{c}" for c in b.interests}
    return parts | ({f"BUYERS#DIST#{b.district.lower()}"} if b.district else set())


def candidate_sk(static: float, user_id: str) -> str:
    """A candidate item's sort key: the static score in 1/10,000, zero-padded, then the id."""
    return f"{min(max(round(static * 10_000), 0), 99_999):05d}#{user_id}"


def farmer_sk(f: FarmerFeatures) -> str:
    return candidate_sk(scoring.farmer_static(f), f.id)


def buyer_sk(b: BuyerFeatures) -> str:
    return candidate_sk(scoring.buyer_static(b), b.id)


def _stored_sk(record: FarmerFeatures | BuyerFeatures) -> str:
    """The sort key of the items a stored record has: written before the keys carried the static
    score, they were keyed by the id alone."""
    return record.candidate_sk or record.id


class MatchDal:
    def __init__(self, table_name: str):
        self.table_name = table_name

    @property
    def _table(self) -> Any:
        return dynamo.table(self.table_name)

    # ------------------------------------------------------------------ features
    def get_farmer(self, user_id: str) -> FarmerFeatures | None:
        item = self._table.get_item(Key={"pk": f"FARMER#{user_id}", "sk": "FEATURES"}, ConsistentRead=True)
        return FarmerFeatures.model_validate(dynamo.plain(item["Item"])) if "Item" in item else None

    def get_buyer(self, user_id: str) -> BuyerFeatures | None:
        item = self._table.get_item(Key={"pk": f"BUYER#{user_id}", "sk": "FEATURES"}, ConsistentRead=True)
        return BuyerFeatures.model_validate(dynamo.plain(item["Item"])) if "Item" in item else None

    def save_farmer(self, old: FarmerFeatures | None, new: FarmerFeatures) -> None:
        sk = farmer_sk(new)
        card = new.model_dump(exclude={"active_listings", "version", "candidate_sk"})
        card["active_count"] = len(new.active_listings)
        self._save(
            f"FARMER#{new.id}",
            old,
            new.model_copy(update={"candidate_sk": sk}).model_dump(),
            card,
            (farmer_partitions(old) if old else set(), _stored_sk(old) if old else sk),
            (farmer_partitions(new), sk),
        )

    def save_buyer(self, old: BuyerFeatures | None, new: BuyerFeatures) -> None:
        sk = buyer_sk(new)
        self._save(
            f"BUYER#{new.id}",
            old,
            new.model_copy(update={"candidate_sk": sk}).model_dump(),
            new.model_dump(exclude={"version", "candidate_sk"}),
            (buyer_partitions(old) if old else set(), _stored_sk(old) if old else sk),
            (buyer_partitions(new), sk),
        )

    def _save(  # noqa: PLR0917
        self,
        pk: str,
        old: FarmerFeatures | BuyerFeatures | None,
        record: dict[str, Any],
        card: dict[str, Any],
        before: tuple[set[str], str],
        after: tuple[set[str], str],
    ) -> None:
        """``before`` / ``after``: the candidate partitions and the items' sort key."""
        (old_parts, old_sk), (new_parts, new_sk) = before, after
        old_version = old.version if old else None
        record = {**record, "pk": pk, "sk": "FEATURES", "version": (old_version or 0) + 1}
        put: dict[str, Any] = {"TableName": self.table_name, "Item": _low(record)}
        if old_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = _low({":v": old_version})
        items: list[dict[str, Any]] = [{"Put": put}]
        items += [
            {"Put": {"TableName": self.table_name, "Item": _low({**card, "pk": p, "sk": new_sk})}}
            for p in sorted(new_parts)
        ]
        gone = old_parts if old_sk != new_sk else old_parts - new_parts
        items += [
            {"Delete": {"TableName": self.table_name, "Key": _low({"pk": p, "sk": old_sk})}}
            for p in sorted(gone)
        ]
        items += self._bumps([pk, *sorted(old_parts | new_parts)])
        if dynamo.transact(items):
            raise StaleFeatures("The features changed at the same moment; retry.")

    @staticmethod
    def rekeyed(record: FarmerFeatures | BuyerFeatures) -> bool:
        """Whether a stored record's candidate items are keyed otherwise than its features say (a
        record written before the keys carried the score): saving it again moves them."""
        current = farmer_sk(record) if isinstance(record, FarmerFeatures) else buyer_sk(record)
        return _stored_sk(record) != current

    def candidates(self, partitions: Iterable[str]) -> Iterator[dict[str, Any]]:
        """The strongest ``CANDIDATES_PER_PARTITION`` candidate cards of each crop and district
        partition (a Query read backwards with a Limit, never a Scan), deduplicated by id."""
        seen: set[str] = set()
        for partition in partitions:
            query: dict[str, Any] = {
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": partition},
                "ScanIndexForward": False,
            }
            left = CANDIDATES_PER_PARTITION
            while left > 0:
                page = self._table.query(**query, Limit=left)
                for item in page.get("Items", []):
                    left -= 1
                    user_id = str(item.get("id") or item["sk"])
                    if user_id not in seen:
                        seen.add(user_id)
                        yield dynamo.plain(item)
                if "LastEvaluatedKey" not in page:
                    break
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # ------------------------------------------------------------------ boosts
    def boosts(self, side: str, user_id: str) -> list[dict[str, Any]]:
        """``side`` B: a buyer's boosts by farmer; F: a farmer's by buyer."""
        query: dict[str, Any] = {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": f"BOOST#{side}#{user_id}"},
        }
        items: list[dict[str, Any]] = []
        while True:
            page = self._table.query(**query)
            items += [dynamo.plain(i) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return items
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get_boost(self, buyer_id: str, farmer_id: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"pk": f"BOOST#B#{buyer_id}", "sk": farmer_id}, ConsistentRead=True)
        return dynamo.plain(item["Item"]) if "Item" in item else None

    def put_boost(
        self, buyer_id: str, farmer_id: str, value: float, as_of: datetime, old_version: int | None
    ) -> None:
        version = (old_version or 0) + 1
        fields = {"value": value, "as_of": as_of.isoformat(), "version": version}
        primary: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": _low({"pk": f"BOOST#B#{buyer_id}", "sk": farmer_id, **fields}),
        }
        if old_version is None:
            primary["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            primary["ConditionExpression"] = "version = :v"
            primary["ExpressionAttributeValues"] = _low({":v": old_version})
        mirror = {
            "TableName": self.table_name,
            "Item": _low({"pk": f"BOOST#F#{farmer_id}", "sk": buyer_id, **fields}),
        }
        items = [
            {"Put": primary},
            {"Put": mirror},
            *self._bumps([f"BUYER#{buyer_id}", f"FARMER#{farmer_id}"]),
        ]
        if dynamo.transact(items):
            raise StaleFeatures("The boost changed at the same moment; retry.")

    # ------------------------------------------------------------------ caches and generations
    def _bumps(self, names: Iterable[str]) -> list[dict[str, Any]]:
        return [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": _low({"pk": f"GEN#{name}", "sk": "GEN"}),
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": _low({":one": 1}),
                }
            }
            for name in dict.fromkeys(names)
        ]

    def bump(self, names: Iterable[str]) -> None:
        for item in self._bumps(names):
            update = item["Update"]
            self._table.update_item(
                Key={"pk": update["Key"]["pk"]["S"], "sk": "GEN"},
                UpdateExpression="ADD n :one",
                ExpressionAttributeValues={":one": 1},
            )

    def generations(self, names: list[str]) -> dict[str, int]:
        """The current generation of each name (0 when never bumped)."""
        found: dict[str, int] = {}
        keys = [{"pk": f"GEN#{n}", "sk": "GEN"} for n in dict.fromkeys(names)]
        for start in range(0, len(keys), 100):
            request = {self.table_name: {"Keys": keys[start : start + 100], "ConsistentRead": True}}
            while request:
                response = aws.resource("dynamodb").batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self.table_name, []):
                    found[str(item["pk"])[4:]] = int(item.get("n", 0))
                request = response.get("UnprocessedKeys") or {}
        return {n: found.get(n, 0) for n in names}

    def cached(self, direction: str, user_id: str, now: int) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"pk": f"CACHE#{direction}#{user_id}", "sk": "TOP"}).get("Item")
        if not item or int(item["expires_at"]) <= now:
            return None
        return dynamo.plain(item)  # type: ignore[no-any-return]

    def cache(self, direction: str, user_id: str, answer: str, deps: dict[str, int], expires_at: int) -> None:
        self._table.put_item(
            Item={
                "pk": f"CACHE#{direction}#{user_id}",
                "sk": "TOP",
                "answer": answer,
                "deps": deps,
                "expires_at": expires_at,
            }
        )


class SourcesDal:
    """Read-only access to the sources of truth: the users table (profiles, the directory), the
    market table (farmer stats, listings, orders) and the ML table (coverage, forecasts); plus the
    coverage-gap counters (``GAP`` / ``<crop>`` in the ML table, next to ``COVERAGE``): one per
    catalogue crop plus ``other``, so the partition never holds more than the catalogue.

    | pattern | table and key |
    |---|---|
    | a profile | users: ``USER#<id>`` / ``PROFILE`` |
    | farmers / buyers, a page at a time | users gsi1: ``DIR#<role>`` |
    | a farmer's rating and fulfilment | market: ``FARMER#<id>`` / ``STATS`` |
    | a farmer's listings | market gsi7: ``FARMER#<id>`` |
    | a buyer's orders | market gsi1: ``BUYER#<id>`` |
    | active listings of a crop | market gsi1: ``CROP#<crop>`` |
    | coverage counts | ML: ``COVERAGE`` / ``<crop>#<market>`` |
    | gap counters | ML: ``GAP`` / ``<catalogue crop id>`` or ``other`` (a bounded set, read by key) |
    | a pair's forecast, latest observation | ML: ``FORECAST#<m>#<c>`` / ``LATEST``; ``OBS#<m>#<c>`` |
    """

    def __init__(self, users_table: str = "", market_table: str = "", ml_table: str = ""):
        self.users_table, self.market_table, self.ml_table = users_table, market_table, ml_table

    def profile(self, user_id: str) -> dict[str, Any] | None:
        item = dynamo.table(self.users_table).get_item(Key={"pk": f"USER#{user_id}", "sk": "PROFILE"})
        return dynamo.plain(item["Item"]) if "Item" in item else None

    def directory_page(
        self, role: str, start: dict[str, Any] | None, limit: int
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        query: dict[str, Any] = {
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :r",
            "ExpressionAttributeValues": {":r": f"DIR#{role}"},
            "Limit": limit,
        }
        if start:
            query["ExclusiveStartKey"] = start
        page = dynamo.table(self.users_table).query(**query)
        return [dynamo.plain(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")

    def farmer_stats(self, farmer_id: str) -> dict[str, Any]:
        item = dynamo.table(self.market_table).get_item(Key={"pk": f"FARMER#{farmer_id}", "sk": "STATS"})
        return dynamo.plain(item.get("Item") or {})  # type: ignore[no-any-return]

    def _index(self, index: str, partition: str, limit: int = 10_000) -> list[dict[str, Any]]:
        query: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{index}pk = :p",
            "ExpressionAttributeValues": {":p": partition},
        }
        items: list[dict[str, Any]] = []
        while len(items) < limit:
            page = dynamo.table(self.market_table).query(**query)
            items += [dynamo.plain(i) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return items[:limit]

    def active_listing_ids(self, farmer_id: str) -> list[str]:
        return [
            str(i["id"]) for i in self._index("gsi7", f"FARMER#{farmer_id}") if i.get("status") == "active"
        ]

    def buyer_orders(self, buyer_id: str) -> list[dict[str, Any]]:
        return self._index("gsi1", f"BUYER#{buyer_id}")

    def crop_listings(self, crop: str, limit: int) -> list[dict[str, Any]]:
        """Active listings of a crop (the browse index is sparse: only active listings are in it)."""
        return [i for i in self._index("gsi1", f"CROP#{crop}", limit) if i.get("status") == "active"]

    def _ml_partition(self, pk: str) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": pk}}
        items: list[dict[str, Any]] = []
        while True:
            page = dynamo.table(self.ml_table).query(**query)
            items += [dynamo.plain(i) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return items
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def coverage(self) -> list[dict[str, Any]]:
        return self._ml_partition("COVERAGE")

    def gaps(self, crops: list[str]) -> list[dict[str, Any]]:
        """The gap counters of ``crops`` (a bounded list of keys: one BatchGetItem per 100)."""
        found: list[dict[str, Any]] = []
        keys = [{"pk": "GAP", "sk": c} for c in dict.fromkeys(crops)]
        for start in range(0, len(keys), 100):
            request = {self.ml_table: {"Keys": keys[start : start + 100]}}
            while request:
                response = aws.resource("dynamodb").batch_get_item(RequestItems=request)
                found += [dynamo.plain(i) for i in response["Responses"].get(self.ml_table, [])]
                request = response.get("UnprocessedKeys") or {}
        return found

    def count_gap(self, crop: str, district: str | None, at: str) -> None:
        names = {"#n": "requests", "#at": "last_requested_at"}
        update = "ADD #n :one SET #at = :at, crop = :crop"
        values: dict[str, Any] = {":one": 1, ":at": at, ":crop": crop}
        if district:
            update = "ADD #n :one, districts :d SET #at = :at, crop = :crop"
            values[":d"] = {district}
        dynamo.table(self.ml_table).update_item(
            Key={"pk": "GAP", "sk": crop},
            UpdateExpression=update,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def forecast(self, market: str, crop: str) -> dict[str, Any] | None:
        item = dynamo.table(self.ml_table).get_item(Key={"pk": f"FORECAST#{market}#{crop}", "sk": "LATEST"})
        return dynamo.plain(item["Item"]) if "Item" in item else None

    def latest_price(self, market: str, crop: str) -> float | None:
        response = dynamo.table(self.ml_table).query(
            KeyConditionExpression="pk = :pk",
            FilterExpression="#s = :ok",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":pk": f"OBS#{market}#{crop}", ":ok": "accepted"},
            ScanIndexForward=False,
            Limit=20,
        )
        items = response.get("Items", [])
        return float(items[0]["price"]) if items else None


class BootstrapRuns:
    """The bootstrap state machine's executions (Step Functions)."""

    def __init__(self, state_machine_arn: str):
        self.arn = state_machine_arn

    def start(self, name: str) -> str:
        response = aws.client("stepfunctions").start_execution(
            stateMachineArn=self.arn, name=name, input="{}"
        )
        return str(response["executionArn"])

    def latest(self) -> dict[str, Any] | None:
        sfn = aws.client("stepfunctions")
        runs = sfn.list_executions(stateMachineArn=self.arn, maxResults=1).get("executions", [])
        if not runs:
            return None
        return dict(sfn.describe_execution(executionArn=runs[0]["executionArn"]))
