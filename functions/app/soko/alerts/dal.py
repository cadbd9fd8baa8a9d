"""Price alerts' data access: the alerts table (the only module of the domain that touches DynamoDB).

| pattern | key |
|---|---|
| a subscriber's subscriptions (``GET /alerts``, newest first; a digest) | ``OWNER#<owner>`` / ``SUB#<id>`` |
| a subscriber's count (at most ``MAX_SUBSCRIPTIONS``) | ``OWNER#<owner>`` / ``COUNT`` |
| the subscriptions of one pair (an event reads only these) | gsi1: ``PAIR#<crop>#<market>`` / ``SUB#<id>`` |
| the digest's subscribers, sharded (the fan-out) | gsi2: ``DIGEST#<shard>`` / ``<owner>#<id>`` |
| a notice sent (a rule per week, a digest per week; TTL) | ``<notice id>`` / ``CLAIM`` |
| an incoming SMS already handled (Africa's Talking repeats; TTL) | ``SMSIN#<message id>`` / ``CLAIM`` |

``owner`` is ``USER#<user id>`` or ``PHONE#<e164>`` (a phone-only subscriber). A subscription and its
owner's count change in one transaction, so the limit holds under concurrent creates. Never a Scan.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

from soko.shared import clock, dynamo
from soko.shared.errors import Conflict, NotFound

DIGEST_SHARDS = 16


class AlertNotFound(NotFound):
    code = "ALERT_NOT_FOUND"


class TooManyAlerts(Conflict):
    code = "TOO_MANY_ALERTS"


def owner_pk(owner: str) -> str:
    return f"OWNER#{owner}"


def pair_key(crop: str, market: str) -> str:
    return f"PAIR#{crop}#{market}"


def digest_shard(owner: str) -> int:
    return zlib.crc32(owner.encode()) % DIGEST_SHARDS


def _stored(sub: dict[str, Any]) -> dict[str, Any]:
    item = {
        **sub,
        "pk": owner_pk(sub["owner"]),
        "sk": f"SUB#{sub['id']}",
        "gsi1pk": pair_key(sub["crop"], sub["market"]),
        "gsi1sk": f"SUB#{sub['id']}",
    }
    if sub.get("digest"):
        item["gsi2pk"] = f"DIGEST#{digest_shard(sub['owner'])}"
        item["gsi2sk"] = f"{sub['owner']}#{sub['id']}"
    return item


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in dynamo.plain(item).items() if not (k in ("pk", "sk") or k.startswith("gsi"))}


class AlertsDal(dynamo.TableDal):
    def create(self, sub: dict[str, Any], limit: int) -> None:
        """The subscription and its owner's count, in one transaction (at most ``limit``)."""
        pk = owner_pk(sub["owner"])
        count = self._update(
            {"pk": pk, "sk": "COUNT"},
            "ADD n :one",
            condition="attribute_not_exists(n) OR n < :limit",
            values={":one": 1, ":limit": limit},
        )
        failed = dynamo.transact([count, self._put_new(_stored(sub))])
        if failed and failed[0]:
            raise TooManyAlerts(
                f"You have {limit} price alerts, the most one person may have. Delete one first.",
                details={"limit": limit},
            )
        if failed:
            raise Conflict("This alert exists already.")

    def delete(self, owner: str, sub_id: str) -> None:
        pk = owner_pk(owner)
        writes = [
            self._delete({"pk": pk, "sk": f"SUB#{sub_id}"}, ConditionExpression="attribute_exists(pk)"),
            self._update({"pk": pk, "sk": "COUNT"}, "ADD n :minus", values={":minus": -1}),
        ]
        if dynamo.transact(writes):
            raise AlertNotFound("No such alert.")

    def _delete(self, key: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"Delete": {"TableName": self.table_name, "Key": dynamo.serialize(key), **extra}}

    def page(self, owner: str, limit: int, cursor: str | None) -> dynamo.Page:
        page = dynamo.query_page(
            self._table,
            scope=f"alerts:{owner}",
            key_names=frozenset({"pk", "sk"}),
            numeric_keys=frozenset(),
            limit=limit,
            cursor_token=cursor,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": owner_pk(owner), ":s": "SUB#"},
            ScanIndexForward=False,
        )
        return dynamo.Page(items=[_public(i) for i in page.items], next_cursor=page.next_cursor)

    def owned(self, owner: str) -> list[dict[str, Any]]:
        """Every subscription of one subscriber (at most MAX_SUBSCRIPTIONS)."""
        items = dynamo.read_all_pages(
            self._table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": owner_pk(owner), ":s": "SUB#"},
        )
        return [_public(i) for i in items]

    def of_pair(self, crop: str, market: str) -> Iterator[dict[str, Any]]:
        """The subscriptions of one (crop, market): a Query on the pair index, page by page."""
        items = dynamo.read_all_pages(
            self._table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": pair_key(crop, market)},
        )
        return (_public(i) for i in items)

    def digest_owners(self, shard: int) -> Iterator[str]:
        """The digest subscribers of one shard, each once, in order (a keys-only index)."""
        last = None
        items = dynamo.read_all_pages(
            self._table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :p",
            ExpressionAttributeValues={":p": f"DIGEST#{shard}"},
        )
        for item in items:
            owner = str(item["pk"]).removeprefix("OWNER#")
            if owner != last:
                last = owner
                yield owner

    def claim(self, key: str, ttl_seconds: int, **fields: Any) -> bool:
        """Record that ``key`` (a notice id, an SMS id) happened: False when it already had."""
        item = {"pk": key, "sk": "CLAIM", "expires_at": clock.epoch() + ttl_seconds, **fields}
        return dynamo.applied(
            lambda: self._table.put_item(
                Item=dynamo.storable(item), ConditionExpression="attribute_not_exists(pk)"
            )
        )

    def release(self, key: str) -> None:
        self._table.delete_item(Key={"pk": key, "sk": "CLAIM"})
