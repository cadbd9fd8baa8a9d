"""Notifications data access: the notifications table.

| pattern | key |
|---|---|
| one notification (id: hash of event id, recipient) | ``USER#<user>`` / ``NOTIF#<id>`` |
| a user's notifications, unread first | gsi1: ``NOTIFS#<user>`` / ``U#<seq>``, ``R#<seq>`` (seq: a ULID) |

``U`` sorts after ``R``, so one descending Query on gsi1 lists unread then read; marking one read
moves it by rewriting its gsi1 sort key. Notifications expire after 180 days (TTL).
"""

from __future__ import annotations

from typing import Any

from soko.shared import dynamo

KEEP_SECONDS = 180 * 24 * 3600


class NotificationsDal(dynamo.TableDal):
    def create(self, item: dict[str, Any], now: int) -> bool:
        """Store a new notification; False when this one (same id) exists (a redelivered event)."""
        user, nid, seq = item["recipient_id"], item["id"], item["seq"]
        return self._put_if(
            {
                "pk": f"USER#{user}",
                "sk": f"NOTIF#{nid}",
                "gsi1pk": f"NOTIFS#{user}",
                "gsi1sk": f"U#{seq}",
                "expires_at": now + KEEP_SECONDS,
                **item,
            },
            "attribute_not_exists(pk)",
        )

    def page(self, user_id: str, limit: int, cursor: str | None) -> dynamo.Page:
        return dynamo.query_page(
            self._table,
            scope=f"notifications:{user_id}",
            key_names=frozenset({"pk", "sk", "gsi1pk", "gsi1sk"}),
            numeric_keys=frozenset(),
            limit=limit,
            cursor_token=cursor,
            IndexName="gsi1",
            KeyConditionExpression=dynamo.key("gsi1pk").eq(f"NOTIFS#{user_id}"),
            ScanIndexForward=False,
        )

    def mark_read(self, user_id: str, notification_id: str, now_iso: str) -> dict[str, Any] | None:
        """Mark one read (idempotent); the notification after, or None when the user has no such one."""
        key = {"pk": f"USER#{user_id}", "sk": f"NOTIF#{notification_id}"}
        item = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        if item is None:
            return None
        if item.get("read"):
            return dict(dynamo.plain(item))
        answer = self._table.update_item(
            Key=key,
            UpdateExpression="SET #read = :t, read_at = :at, gsi1sk = :sk",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#read": "read"},
            ExpressionAttributeValues={
                ":t": True,
                ":at": now_iso,
                ":sk": f"R#{item['seq']}",
            },
            ReturnValues="ALL_NEW",
        )
        return dict(dynamo.plain(answer["Attributes"]))

    def mark_unread_read(self, user_id: str, limit: int, now_iso: str) -> tuple[int, bool]:
        """Mark up to ``limit`` of the user's unread notifications read (the newest first): one Query
        of the unread part of the list and one conditional UpdateItem each. Returns how many this
        call marked and whether unread ones may remain."""
        response = self._table.query(
            IndexName="gsi1",
            KeyConditionExpression=(
                dynamo.key("gsi1pk").eq(f"NOTIFS#{user_id}") & dynamo.key("gsi1sk").begins_with("U#")
            ),
            ProjectionExpression="pk, sk, seq",
            ScanIndexForward=False,
            Limit=limit + 1,  # one more tells whether any remain
        )
        items = response.get("Items", [])
        marked = sum(self._mark_if_unread(item, now_iso) for item in items[:limit])
        return marked, len(items) > limit or "LastEvaluatedKey" in response

    def _mark_if_unread(self, item: dict[str, Any], now_iso: str) -> bool:
        """False when it was read meanwhile (or has expired): the index is read eventually consistent."""
        return self._update_if(
            {"pk": item["pk"], "sk": item["sk"]},
            "SET #read = :t, read_at = :at, gsi1sk = :sk",
            condition="#read = :f",
            names={"#read": "read"},
            values={
                ":t": True,
                ":f": False,
                ":at": now_iso,
                ":sk": f"R#{item['seq']}",
            },
        )
