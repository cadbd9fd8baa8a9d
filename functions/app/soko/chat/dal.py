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

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from soko.shared import dynamo, outbox
from soko.shared.errors import TooManyRequests
from soko.shared.events import EventDetail

_CONDITION_FAILED = "ConditionalCheckFailedException"
RATE_TTL_SECONDS = 180


class MessageRateLimited(TooManyRequests):
    code = "MESSAGE_RATE_LIMITED"


class ChatDal:
    def __init__(self, table_name: str):
        self.table_name = table_name

    @property
    def _table(self) -> Any:
        return dynamo.table(self.table_name)

    def count_message(self, sender_id: str, minute: str, limit: int, now: int, retry_after: int) -> None:
        """Count one message in the sender's current minute; 429 when ``limit`` are already counted."""
        try:
            self._table.update_item(
                Key={"pk": f"RATE#{sender_id}", "sk": minute},
                UpdateExpression="ADD sent :one SET expires_at = :ttl",
                ConditionExpression="attribute_not_exists(sent) OR sent < :limit",
                ExpressionAttributeValues={":one": 1, ":limit": limit, ":ttl": now + RATE_TTL_SECONDS},
            )
        except ClientError as err:
            if dynamo.error_code(err) != _CONDITION_FAILED:
                dynamo.raise_if_throttled(err)
                raise
            raise MessageRateLimited(
                f"At most {limit} messages a minute. Wait a moment and send again.",
                retry_after_seconds=retry_after,
            ) from None

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
            claim = {
                "Put": {
                    "TableName": self.table_name,
                    "Item": dynamo.serialize(marker),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            codes = dynamo.transact([*items, claim, *outbox.puts(self.table_name, [inquiry])])
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
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": dynamo.serialize(
                        {"pk": f"CONV#{conversation}", "sk": f"MSG#{message['id']}", **message}
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": dynamo.serialize({"pk": f"CONV#{conversation}", "sk": "META"}),
                    "UpdateExpression": "SET members = if_not_exists(members, :m), "
                    "created_at = if_not_exists(created_at, :at)",
                    "ExpressionAttributeValues": dynamo.serialize(
                        {":m": list(members), ":at": message["created_at"]}
                    ),
                }
            },
            *({"Put": {"TableName": self.table_name, "Item": dynamo.serialize(row)}} for row in rows),
        ]
        return items

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
            KeyConditionExpression=Key("pk").eq(f"CONV#{conversation_id}") & Key("sk").begins_with("MSG#"),
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
            KeyConditionExpression=Key("gsi1pk").eq(f"CONVS#{user_id}"),
            ScanIndexForward=False,
        )

    def has_inquired(self, buyer_id: str, farmer_id: str) -> bool:
        """True once ``buyer_id`` has written to ``farmer_id``."""
        key = {"pk": _inquiry_pk(buyer_id, farmer_id), "sk": "FIRST"}
        return "Item" in self._table.get_item(Key=key, ProjectionExpression="pk")


def _inquiry_pk(buyer_id: str, farmer_id: str) -> str:
    return f"INQUIRY#{buyer_id}#{farmer_id}"
