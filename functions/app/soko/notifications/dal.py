"""Notifications data access: the notifications table.

| pattern | key |
|---|---|
| one notification (id: hash of event id, recipient) | ``USER#<user>`` / ``NOTIF#<id>`` |
| a user's notifications, unread first | gsi1: ``NOTIFS#<user>`` / ``U#<seq>``, ``R#<seq>`` (seq: a ULID) |
| a user's channel preferences | ``USER#<user>`` / ``PREFS`` |
| a user's web push subscriptions, mobile devices | ``USER#<user>`` / ``WEBPUSH#<id>``, ``DEVICE#<id>`` |
| one notification's delivery on one channel | ``DELIVERY#<notification>`` / ``<channel>`` (TTL) |
| an SMS's provider message id -> its notification | ``SMSID#<message id>`` / ``LINK`` (TTL) |

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

    def get(self, user_id: str, notification_id: str) -> dict[str, Any] | None:
        return self._get(f"USER#{user_id}", f"NOTIF#{notification_id}")

    # -- preferences: USER#<user> / PREFS ------------------------------------------------------
    def get_preferences(self, user_id: str) -> dict[str, Any] | None:
        item = self._get(f"USER#{user_id}", "PREFS")
        return {k: v for k, v in item.items() if k in {"categories", "quiet_hours"}} if item else None

    def put_preferences(self, user_id: str, preferences: dict[str, Any]) -> None:
        self._table.put_item(Item={"pk": f"USER#{user_id}", "sk": "PREFS", **preferences})

    # -- deliveries: DELIVERY#<notification> / <channel>; SMSID#<provider id> / LINK ------------
    def claim_delivery(self, notification_id: str, channel: str, now: int) -> bool:
        """Claim (notification, channel) before sending: False when it was sent (or is being
        sent); a failed one may be claimed again."""
        return self._put_if(
            {
                "pk": f"DELIVERY#{notification_id}",
                "sk": channel,
                "delivery": "sending",
                "claimed_at": now,
                "expires_at": now + KEEP_SECONDS,
            },
            "attribute_not_exists(pk) OR delivery = :failed",
            failed="failed",
        )

    def mark_delivery(
        self, notification_id: str, channel: str, status: str, *, provider_id: str | None = None
    ) -> None:
        values: dict[str, Any] = {":s": status}
        expression = "SET delivery = :s"
        if provider_id:
            expression += ", provider_id = :p"
            values[":p"] = provider_id
        self._table.update_item(
            Key={"pk": f"DELIVERY#{notification_id}", "sk": channel},
            UpdateExpression=expression,
            ExpressionAttributeValues=values,
        )

    def deliveries(self, notification_id: str) -> dict[str, dict[str, Any]]:
        """The delivery records of one notification, by channel."""
        items = self._table.query(KeyConditionExpression=dynamo.key("pk").eq(f"DELIVERY#{notification_id}"))
        return {item["sk"]: dict(dynamo.plain(item)) for item in items.get("Items", [])}

    def link_sms(self, message_id: str, notification_id: str, now: int) -> None:
        self._table.put_item(
            Item={
                "pk": f"SMSID#{message_id}",
                "sk": "LINK",
                "notification_id": notification_id,
                "expires_at": now + KEEP_SECONDS,
            }
        )

    def sms_reported(self, message_id: str, status: str) -> bool:
        """A delivery report for an SMS we sent: its record becomes delivered or failed (other
        statuses are on the way); False for an SMS this domain did not send."""
        link = self._get(f"SMSID#{message_id}", "LINK")
        if link is None:
            return False
        outcome = {"Success": "delivered", "Failed": "failed", "Rejected": "failed", "Expired": "failed"}
        if status in outcome:
            self.mark_delivery(str(link["notification_id"]), "sms", outcome[status])
        return True

    # -- web push subscriptions: USER#<user> / WEBPUSH#<id> ----------------------------------------
    def web_push_subscriptions(self, user_id: str) -> list[dict[str, Any]]:
        return self._children(user_id, "WEBPUSH#")

    def put_web_push_subscription(self, user_id: str, subscription_id: str, item: dict[str, Any]) -> None:
        self._table.put_item(
            Item={"pk": f"USER#{user_id}", "sk": f"WEBPUSH#{subscription_id}", "id": subscription_id, **item}
        )

    def delete_web_push_subscription(self, user_id: str, subscription_id: str) -> None:
        self._table.delete_item(Key={"pk": f"USER#{user_id}", "sk": f"WEBPUSH#{subscription_id}"})

    # -- mobile devices: USER#<user> / DEVICE#<id> ---------------------------------------------------
    def devices(self, user_id: str) -> list[dict[str, Any]]:
        return self._children(user_id, "DEVICE#")

    def put_device(self, user_id: str, device_id: str, item: dict[str, Any]) -> None:
        self._table.put_item(
            Item={"pk": f"USER#{user_id}", "sk": f"DEVICE#{device_id}", "id": device_id, **item}
        )

    def get_device(self, user_id: str, device_id: str) -> dict[str, Any] | None:
        return self._get(f"USER#{user_id}", f"DEVICE#{device_id}")

    def delete_device(self, user_id: str, device_id: str) -> None:
        self._table.delete_item(Key={"pk": f"USER#{user_id}", "sk": f"DEVICE#{device_id}"})

    def _children(self, user_id: str, prefix: str) -> list[dict[str, Any]]:
        answer = self._table.query(
            KeyConditionExpression=dynamo.key("pk").eq(f"USER#{user_id}")
            & dynamo.key("sk").begins_with(prefix),
            Limit=25,
        )
        return [dict(dynamo.plain(item)) for item in answer.get("Items", [])]
