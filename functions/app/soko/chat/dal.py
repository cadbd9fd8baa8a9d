"""Chat data access: the chat table (the only module of chat that touches DynamoDB).

| pattern | key |
|---|---|
| a conversation's members | ``CONV#<conversation id>`` / ``META`` |
| a conversation's messages, newest first | ``CONV#<conversation id>`` / ``MSG#<message ulid>`` |
| my conversations, newest first | ``USER#<user>`` / ``CONV#<id>``; gsi1: ``CONVS#<user>`` / ``<at>#<msg>`` |
| messages a sender sent this minute (rate limit) | ``RATE#<sender>`` / ``<yyyymmddHHMM>`` (TTL) |
| a buyer has written to a farmer before | ``INQUIRY#<buyer>#<farmer>`` / ``FIRST`` |
| outbox events (``BuyerInquired``) | ``OUTBOX#<event id>`` / ``EVENT`` (TTL; see soko.shared.outbox) |

A message, its conversation and both members' conversation rows are written in one transaction;
a buyer's first message to a farmer also writes the ``INQUIRY#`` marker and its ``BuyerInquired``
outbox item in that transaction, so the event is recorded exactly when the message is, and the
outbox relay (``ChatOutboxRelayFunction``, on this table's stream) publishes it.
"""

from __future__ import annotations

from typing import Any

from soko.shared import dynamo
from soko.shared.errors import TooManyRequests
from soko.shared.events import EventDetail

RATE_TTL_SECONDS = 180


class MessageRateLimited(TooManyRequests):
    code = "MESSAGE_RATE_LIMITED"


class ChatDal(dynamo.TableDal):
    def count_message(self, sender_id: str, minute: str, limit: int, now: int, retry_after: int) -> None:
        """Count one message in the sender's current minute; 429 when ``limit`` are already counted."""
        try:
            counted = self._update_if(
                {"pk": f"RATE#{sender_id}", "sk": minute},
                "ADD sent :one SET expires_at = :ttl",
                condition="attribute_not_exists(sent) OR sent < :limit",
                values={":one": 1, ":limit": limit, ":ttl": now + RATE_TTL_SECONDS},
            )
        except Exception as err:
            dynamo.raise_if_throttled(err)
            raise
        if not counted:
            raise MessageRateLimited(
                f"At most {limit} messages a minute. Wait a moment and send again.",
                retry_after_seconds=retry_after,
            )

    def put_message(
        self, message: dict[str, Any], members: tuple[str, str], inquiry: EventDetail | None = None
    ) -> None:
        """Store the message with its conversation rows. ``inquiry``: the message is the sender's first
        to the recipient, so the ``INQUIRY#`` marker and this event's outbox item go in the same
        transaction (if another first message claimed the marker meanwhile, the message is stored
        without them)."""
        items = self._message_items(message, members)
        if inquiry is not None:
            marker = {
                "pk": _inquiry_pk(message["sender_id"], message["recipient_id"]),
                "sk": "FIRST",
                "at": message["created_at"],
                "message_id": message["id"],
            }
            codes = dynamo.transact([*items, self._put_new(marker), *self._outbox([inquiry])])
            if not codes:
                return
            if codes[len(items)] != "ConditionalCheckFailed" or any(codes[: len(items)]):
                raise dynamo.TransactionConflict("The message could not be stored; send it again.")
        if dynamo.transact(items):
            raise dynamo.TransactionConflict("The message could not be stored; send it again.")

    def _message_items(self, message: dict[str, Any], members: tuple[str, str]) -> list[dict[str, Any]]:
        conversation = message["conversation_id"]
        order_key = f"{message['created_at']}#{message['id']}"
        rows = [
            {
                "pk": f"USER#{user}",
                "sk": f"CONV#{conversation}",
                "gsi1pk": f"CONVS#{user}",
                "gsi1sk": order_key,
                "conversation_id": conversation,
                "other_user_id": other,
                "last_message_at": message["created_at"],
                "last_text": message["text"][:200],
                "last_sender_id": message["sender_id"],
            }
            for user, other in ((members[0], members[1]), (members[1], members[0]))
        ]
        return [
            self._put_new({"pk": f"CONV#{conversation}", "sk": f"MSG#{message['id']}", **message}),
            self._update(
                {"pk": f"CONV#{conversation}", "sk": "META"},
                "SET members = if_not_exists(members, :m), created_at = if_not_exists(created_at, :at)",
                values={":m": list(members), ":at": message["created_at"]},
            ),
            *(self._put(row) for row in rows),
        ]

    def members(self, conversation_id: str) -> list[str] | None:
        item = self._table.get_item(Key={"pk": f"CONV#{conversation_id}", "sk": "META"}).get("Item")
        return [str(m) for m in item["members"]] if item else None

    def messages(self, conversation_id: str, limit: int, cursor: str | None) -> dynamo.Page:
        return dynamo.query_page(
            self._table,
            scope=f"messages:{conversation_id}",
            key_names=frozenset({"pk", "sk"}),
            numeric_keys=frozenset(),
            limit=limit,
            cursor_token=cursor,
            KeyConditionExpression=dynamo.key("pk").eq(f"CONV#{conversation_id}")
            & dynamo.key("sk").begins_with("MSG#"),
            ScanIndexForward=False,
        )

    def conversations(self, user_id: str, limit: int, cursor: str | None) -> dynamo.Page:
        return dynamo.query_page(
            self._table,
            scope=f"conversations:{user_id}",
            key_names=frozenset({"pk", "sk", "gsi1pk", "gsi1sk"}),
            numeric_keys=frozenset(),
            limit=limit,
            cursor_token=cursor,
            IndexName="gsi1",
            KeyConditionExpression=dynamo.key("gsi1pk").eq(f"CONVS#{user_id}"),
            ScanIndexForward=False,
        )

    def has_inquired(self, buyer_id: str, farmer_id: str) -> bool:
        """True once ``buyer_id`` has written to ``farmer_id``."""
        key = {"pk": _inquiry_pk(buyer_id, farmer_id), "sk": "FIRST"}
        return "Item" in self._table.get_item(Key=key, ProjectionExpression="pk")


def _inquiry_pk(buyer_id: str, farmer_id: str) -> str:
    return f"INQUIRY#{buyer_id}#{farmer_id}"
