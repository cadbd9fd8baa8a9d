"""Matching data access: the match table (feature store, boosts, caches) and the bootstrap state
machine's runs. The only module here that calls AWS. Matching owns the match table and no other:
accounts, listings, orders and prices are read through their owners' public interfaces
(``soko.identity.public``, ``soko.market.public``, ``soko.ml.public``; see soko.matching.context).

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
from itertools import islice
from typing import Any

from soko.matching import scoring
from soko.matching.models import BuyerFeatures, FarmerFeatures
from soko.shared import aws, dynamo
from soko.shared.errors import Conflict

CANDIDATES_PER_PARTITION = 200  # read per crop or district partition, strongest first


_KIND: dict[type[FarmerFeatures | BuyerFeatures], str] = {FarmerFeatures: "FARMER", BuyerFeatures: "BUYER"}


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


class MatchDal(dynamo.TableDal):
    # ------------------------------------------------------------------ features
    def get_features[R: (FarmerFeatures, BuyerFeatures)](self, kind: type[R], user_id: str) -> R | None:
        """The stored farmer (``kind`` FarmerFeatures) or buyer features of ``user_id``."""
        item = self._get(f"{_KIND[kind]}#{user_id}", "FEATURES")
        return kind.model_validate(item) if item else None

    def save_features[R: (FarmerFeatures, BuyerFeatures)](self, old: R | None, new: R) -> None:
        if isinstance(new, FarmerFeatures):
            self.save_farmer(old, new)
        else:
            self.save_buyer(old, new)

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
        items = [self._put_versioned(record, old_version)]
        items += [self._put({**card, "pk": p, "sk": new_sk}) for p in sorted(new_parts)]
        gone = old_parts if old_sk != new_sk else old_parts - new_parts
        items += [self._delete({"pk": p, "sk": old_sk}) for p in sorted(gone)]
        items += self._bumps([pk, *sorted(old_parts | new_parts)])
        if dynamo.transact(items):
            raise StaleFeatures("The features changed at the same moment; retry.")

    def _put_versioned(self, item: dict[str, Any], old_version: int | None) -> dict[str, Any]:
        """A transaction ``Put`` of a record last read at ``old_version`` (None: a new record)."""
        if old_version is None:
            return self._put_new(item)
        return self._put(item, "version = :v", v=old_version)

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
            strongest = dynamo.read_all_pages(
                self._table,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": partition},
                ScanIndexForward=False,
                Limit=CANDIDATES_PER_PARTITION,
            )
            for item in islice(strongest, CANDIDATES_PER_PARTITION):
                user_id = str(item.get("id") or item["sk"])
                if user_id not in seen:
                    seen.add(user_id)
                    yield item

    # ------------------------------------------------------------------ boosts
    def boosts(self, side: str, user_id: str) -> list[dict[str, Any]]:
        """``side`` B: a buyer's boosts by farmer; F: a farmer's by buyer."""
        return list(
            dynamo.read_all_pages(
                self._table,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": f"BOOST#{side}#{user_id}"},
            )
        )

    def get_boost(self, buyer_id: str, farmer_id: str) -> dict[str, Any] | None:
        return self._get(f"BOOST#B#{buyer_id}", farmer_id)

    def put_boost(
        self, buyer_id: str, farmer_id: str, value: float, as_of: datetime, old_version: int | None
    ) -> None:
        version = (old_version or 0) + 1
        fields = {"value": value, "as_of": as_of.isoformat(), "version": version}
        items = [
            self._put_versioned({"pk": f"BOOST#B#{buyer_id}", "sk": farmer_id, **fields}, old_version),
            self._put({"pk": f"BOOST#F#{farmer_id}", "sk": buyer_id, **fields}),
            *self._bumps([f"BUYER#{buyer_id}", f"FARMER#{farmer_id}"]),
        ]
        if dynamo.transact(items):
            raise StaleFeatures("The boost changed at the same moment; retry.")

    # ------------------------------------------------------------------ caches and generations
    def _bumps(self, names: Iterable[str]) -> list[dict[str, Any]]:
        return [
            self._update({"pk": f"GEN#{name}", "sk": "GEN"}, "ADD n :one", values={":one": 1})
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
