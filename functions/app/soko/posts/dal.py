"""Farming-knowledge data access: the posts table (the only module of the domain that touches
DynamoDB).

Why a table of its own rather than a ``POST#`` prefix in the market table: posts are content, not
trade. They have their own size profile (markdown bodies up to 20,000 characters, copied once per
crop, below), their own indexes (which would otherwise be added to a table that already carries
eight), no outbox, and their functions then get rights on this table only, never on orders.

Access patterns (table ``pk``/``sk``; indexes ``gsi1``..``gsi4``, each ``gsiNpk``/``gsiNsk``):

| pattern | key |
|---|---|
| a post by id (read, update, delete) | ``POST#<id>`` / ``POST`` |
| every post, pinned first, then newest | gsi1: ``FEED`` / ``<rank>`` |
| posts of a category | gsi2: ``CAT#<category>`` / ``<rank>`` |
| posts in a language | gsi3: ``LANG#<language>`` / ``<rank>`` |
| posts about a crop | gsi4: ``CROP#<crop>`` / ``<rank>`` (crop copies ``POST#<id>`` / ``CROP#<crop>``) |

``rank`` is ``<1 pinned | 0>#<created_at>#<id>``: one descending Query lists pinned posts first,
newest first within each; pinning or unpinning rewrites it. A post names several crops, and an index
key holds one value, so the post is copied once per crop (at most 10) into an item that carries only
the gsi4 keys; the copies are written and removed in the same transaction as the post, so the crop
lists never disagree with it. Filters that combine (``category`` and ``language``, or either with a
``crop``) Query the most selective index (crop, then category, then language) and filter the rest
while reading, a bounded number of pages per request. Never a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from soko.shared import dynamo
from soko.shared.errors import Conflict, NotFound

INDEXES = {"all": "gsi1", "category": "gsi2", "language": "gsi3", "crop": "gsi4"}


class PostNotFound(NotFound):
    code = "POST_NOT_FOUND"


class StaleWrite(Conflict):
    code = "CONCURRENT_UPDATE"


def rank(item: dict[str, Any]) -> str:
    return f"{1 if item['pinned'] else 0}#{item['created_at']}#{item['id']}"


def post_key(post_id: str) -> dict[str, str]:
    return {"pk": f"POST#{post_id}", "sk": "POST"}


def _stored(post: dict[str, Any]) -> dict[str, Any]:
    """The post item with its feed, category and language index keys."""
    order = rank(post)
    return {
        **post,
        **post_key(post["id"]),
        "gsi1pk": "FEED",
        "gsi1sk": order,
        "gsi2pk": f"CAT#{post['category']}",
        "gsi2sk": order,
        "gsi3pk": f"LANG#{post['language']}",
        "gsi3sk": order,
    }


def _crop_copy(post: dict[str, Any], crop: str) -> dict[str, Any]:
    return {
        **post,
        "pk": f"POST#{post['id']}",
        "sk": f"CROP#{crop}",
        "gsi4pk": f"CROP#{crop}",
        "gsi4sk": rank(post),
    }


@dataclass
class FeedQuery:
    dimension: str  # all | category | language | crop
    partition: str
    filters: dict[str, str] = field(default_factory=dict)  # equality filters on post attributes


class PostsDal(dynamo.TableDal):
    def get(self, post_id: str) -> dict[str, Any] | None:
        return self._get(**post_key(post_id))

    def save(self, post: dict[str, Any], previous: dict[str, Any] | None) -> None:
        """Write the post and its crop copies in one transaction: a new post if ``previous`` is
        None, else only if the stored post is still at ``previous``'s version (optimistic lock);
        copies for crops the post no longer names are deleted."""
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if previous is None
            else {
                "ConditionExpression": "#ver = :expected",
                "ExpressionAttributeNames": {"#ver": "version"},
                "ExpressionAttributeValues": dynamo.serialize({":expected": previous["version"]}),
            }
        )
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table_name, "Item": dynamo.serialize(_stored(post)), **condition}}
        ]
        writes += [self._put(_crop_copy(post, crop)) for crop in post["crops"]]
        gone = [crop for crop in (previous or {}).get("crops", []) if crop not in post["crops"]]
        writes += [self._delete_copy(post["id"], crop) for crop in gone]
        if dynamo.transact(writes):
            raise StaleWrite("The post changed while you were editing it; reload it and try again.")

    def delete(self, previous: dict[str, Any]) -> None:
        """Delete the post and its crop copies, if it is still at ``previous``'s version."""
        writes: list[dict[str, Any]] = [
            self._delete(
                post_key(previous["id"]),
                ConditionExpression="#ver = :expected",
                ExpressionAttributeNames={"#ver": "version"},
                ExpressionAttributeValues=dynamo.serialize({":expected": previous["version"]}),
            )
        ]
        writes += [self._delete_copy(previous["id"], crop) for crop in previous.get("crops", [])]
        if dynamo.transact(writes):
            raise StaleWrite("The post changed while you were deleting it; reload it and try again.")

    def _delete_copy(self, post_id: str, crop: str) -> dict[str, Any]:
        return self._delete({"pk": f"POST#{post_id}", "sk": f"CROP#{crop}"})

    def feed(self, query: FeedQuery, limit: int, cursor: str | None, scope: str) -> dynamo.Page:
        """A page of posts in rank order (pinned first, then newest), filters applied while reading."""
        index = INDEXES[query.dimension]
        request: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{index}pk = :p",
            "ExpressionAttributeValues": {":p": query.partition},
            "ScanIndexForward": False,
        }
        if query.filters:
            names = {f"#f{i}": name for i, name in enumerate(query.filters)}
            request["ExpressionAttributeNames"] = names
            request["ExpressionAttributeValues"].update(
                {f":f{i}": value for i, value in enumerate(query.filters.values())}
            )
            request["FilterExpression"] = " AND ".join(f"#f{i} = :f{i}" for i in range(len(names)))
        page = dynamo.filtered_page(
            self._table,
            request,
            key_names=frozenset({"pk", "sk", f"{index}pk", f"{index}sk"}),
            limit=limit,
            cursor_token=cursor,
            scope=scope,
        )
        return dynamo.Page(items=[dynamo.plain(item) for item in page.items], next_cursor=page.next_cursor)
