"""Payments data access: the payments table (the only module here that touches DynamoDB).

Access patterns (table ``pk``/``sk``; overloaded indexes ``gsi1``/``gsi2``):

| pattern | key |
|---|---|
| payment by id (with its history) | ``PAYMENT#<id>`` / ``PAYMENT`` |
| payment by provider tracking id (IPN) | gsi1: ``TRACKING#<tracking id>`` / ``PAYMENT`` |
| pending / completed payments by time (reconcile) | gsi2: ``STATUS#<status>`` / ``<created>#<id>`` |
| the one live attempt of an order | ``ORDER#<order>`` / ``ATTEMPT`` |
| payout by id | ``PAYOUT#<id>`` / ``PAYOUT`` |
| scheduled payouts, by due time (settlement) | gsi2: ``PAYOUTS#scheduled`` / ``<due>#<id>`` (sparse) |
| ledger entry, once per kind and reference | ``JOURNAL#<kind>#<reference>`` / ``ENTRY`` |
| an account's balance; all accounts | ``ACCOUNT#<name>`` / ``BALANCE``; gsi1: ``LEDGER`` / ``<name>`` |
| settlement batch | ``BATCH#<id>`` / ``BATCH`` |
| reconciliation mismatches | ``MISMATCH#<payment>`` / ``<at>``; gsi1: ``MISMATCHES`` / ``<at>#<id>`` |
| outbox events | ``OUTBOX#<event id>`` / ``EVENT`` (TTL) |

Every status change is one transaction: the payment (optimistic lock on ``version``), the
order's attempt, the ledger entry with its account balances, and the outbox event. A ledger entry
is written once per ``(kind, reference)``, so a replayed change can never post twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from botocore.exceptions import ClientError

from soko.payments.ledger import Entry
from soko.shared import dynamo, outbox
from soko.shared.events import EventDetail

_CONDITION_FAILED = "ConditionalCheckFailedException"


def _low(item: dict[str, Any]) -> dict[str, Any]:
    return dynamo.serialize(item)


class PaymentsDal:
    def __init__(self, table_name: str):
        self.table_name = table_name

    @property
    def _table(self) -> Any:
        return dynamo.table(self.table_name)

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True)
        return dynamo.plain(item["Item"]) if "Item" in item else None

    def _journal(self, entry: Entry, at: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": _low(
                        {
                            "pk": f"JOURNAL#{entry.kind}#{entry.reference}",
                            "sk": "ENTRY",
                            "kind": entry.kind,
                            "reference": entry.reference,
                            "postings": [p.model_dump() for p in entry.postings],
                            "at": at,
                        }
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        for posting in entry.postings:
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _low({"pk": f"ACCOUNT#{posting.account}", "sk": "BALANCE"}),
                        "UpdateExpression": "ADD balance :a SET gsi1pk = :l, gsi1sk = :n, updated_at = :at",
                        "ExpressionAttributeValues": _low(
                            {":a": posting.amount, ":l": "LEDGER", ":n": posting.account, ":at": at}
                        ),
                    }
                }
            )
        return items

    # ------------------------------------------------------------------ attempts and payments
    def claim_attempt(
        self, order_id: str, payment_id: str, now: int, stale_before: int
    ) -> dict[str, Any] | None:
        """Claim the order's one live attempt: None when claimed, else the attempt that holds it."""
        try:
            self._table.put_item(
                Item={
                    "pk": f"ORDER#{order_id}",
                    "sk": "ATTEMPT",
                    "payment_id": payment_id,
                    "state": "initiating",
                    "claimed_at": now,
                },
                ConditionExpression="attribute_not_exists(pk) OR #s = :failed "
                "OR (#s = :initiating AND claimed_at < :stale)",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={
                    ":failed": "failed",
                    ":initiating": "initiating",
                    ":stale": stale_before,
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return None
        except ClientError as err:
            if dynamo.error_code(err) != _CONDITION_FAILED:
                dynamo.raise_if_throttled(err)
                raise
            old = err.response.get("Item") or {}
            from boto3.dynamodb.types import TypeDeserializer  # noqa: PLC0415

            held: dict[str, Any] = dynamo.plain(
                {k: TypeDeserializer().deserialize(v) for k, v in old.items()}
            )
            return held

    def release_attempt(self, order_id: str, payment_id: str) -> None:
        try:
            self._table.update_item(
                Key={"pk": f"ORDER#{order_id}", "sk": "ATTEMPT"},
                UpdateExpression="SET #s = :failed",
                ConditionExpression="payment_id = :p",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={":failed": "failed", ":p": payment_id},
            )
        except ClientError as err:
            if dynamo.error_code(err) != _CONDITION_FAILED:
                raise

    def get_attempt(self, order_id: str) -> dict[str, Any] | None:
        return self._get(f"ORDER#{order_id}", "ATTEMPT")

    def create_payment(self, payment: dict[str, Any]) -> bool:
        """Write a submitted payment and mark its attempt pending; False if the claim was lost."""
        codes = dynamo.transact(
            [
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": _low(payment),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _low({"pk": f"ORDER#{payment['order_id']}", "sk": "ATTEMPT"}),
                        "UpdateExpression": "SET #s = :pending, tracking_id = :t",
                        "ConditionExpression": "payment_id = :p AND #s = :initiating",
                        "ExpressionAttributeNames": {"#s": "state"},
                        "ExpressionAttributeValues": _low(
                            {
                                ":pending": "pending",
                                ":t": payment["tracking_id"],
                                ":p": payment["id"],
                                ":initiating": "initiating",
                            }
                        ),
                    }
                },
            ]
        )
        return not codes

    def get_payment(self, payment_id: str) -> dict[str, Any] | None:
        return self._get(f"PAYMENT#{payment_id}", "PAYMENT")

    def payment_by_tracking(self, tracking_id: str) -> dict[str, Any] | None:
        response = self._table.query(
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :t AND gsi1sk = :s",
            ExpressionAttributeValues={":t": f"TRACKING#{tracking_id}", ":s": "PAYMENT"},
            Limit=1,
        )
        items = response.get("Items", [])
        # The index is eventually consistent: read the payment itself.
        return self.get_payment(str(items[0]["id"])) if items else None

    def change_payment(
        self,
        payment: dict[str, Any],
        *,
        changes: dict[str, Any],
        history: dict[str, Any],
        now: str,
        remove: Sequence[str] = (),
        attempt_state: str | None = None,
        entry: Entry | None = None,
        events: Sequence[EventDetail] = (),
        extra: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """Apply ``changes`` to a payment read at its ``version``; False if it changed meanwhile."""
        values: dict[str, Any] = {":v": int(payment["version"]), ":one": 1, ":h": [history], ":now": now}
        names: dict[str, str] = {"#ver": "version"}
        sets = ["#ver = #ver + :one", "history = list_append(history, :h)", "updated_at = :now"]
        for n, (name, value) in enumerate(changes.items()):
            names[f"#c{n}"] = name
            values[f":c{n}"] = value
            sets.append(f"#c{n} = :c{n}")
        expression = "SET " + ", ".join(sets)
        if remove:
            expression += " REMOVE " + ", ".join(remove)
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": _low({"pk": payment["pk"], "sk": "PAYMENT"}),
                    "UpdateExpression": expression,
                    "ConditionExpression": "#ver = :v",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": _low(values),
                }
            }
        ]
        if attempt_state is not None:
            items.append(
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _low({"pk": f"ORDER#{payment['order_id']}", "sk": "ATTEMPT"}),
                        "UpdateExpression": "SET #s = :s",
                        "ConditionExpression": "payment_id = :p",
                        "ExpressionAttributeNames": {"#s": "state"},
                        "ExpressionAttributeValues": _low({":s": attempt_state, ":p": payment["id"]}),
                    }
                }
            )
        items += list(extra)
        if entry is not None:
            items += self._journal(entry, now)
        items += outbox.puts(self.table_name, events)
        return not dynamo.transact(items)

    def payments_since(self, status: str, since: str) -> Iterator[dict[str, Any]]:
        """Payments in ``status`` created at or after ``since`` (every page)."""
        query: dict[str, Any] = {
            "IndexName": "gsi2",
            "KeyConditionExpression": "gsi2pk = :p AND gsi2sk >= :since",
            "ExpressionAttributeValues": {":p": f"STATUS#{status}", ":since": since},
        }
        while True:
            response = self._table.query(**query)
            yield from (dynamo.plain(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # ------------------------------------------------------------------ payouts
    def payout_put(self, payout: dict[str, Any]) -> dict[str, Any]:
        """The transaction item that creates ``payout`` (once)."""
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": _low(payout),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def get_payout(self, payout_id: str) -> dict[str, Any] | None:
        return self._get(f"PAYOUT#{payout_id}", "PAYOUT")

    def due_payouts(self, now: str, limit: int) -> list[dict[str, Any]]:
        response = self._table.query(
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :p AND gsi2sk <= :now",
            ExpressionAttributeValues={":p": "PAYOUTS#scheduled", ":now": f"{now}#~"},
            Limit=limit,
        )
        return [dynamo.plain(i) for i in response.get("Items", [])]

    def settle_payout(
        self,
        payout: dict[str, Any],
        *,
        batch_id: str,
        entry: Entry,
        now: str,
        events: Sequence[EventDetail] = (),
    ) -> bool:
        items = [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": _low({"pk": payout["pk"], "sk": "PAYOUT"}),
                    "UpdateExpression": "SET #s = :settled, batch_id = :b, settled_at = :now "
                    "REMOVE gsi2pk, gsi2sk",
                    "ConditionExpression": "#s = :scheduled",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": _low(
                        {":settled": "settled", ":b": batch_id, ":now": now, ":scheduled": "scheduled"}
                    ),
                }
            },
            *self._journal(entry, now),
            *outbox.puts(self.table_name, events),
        ]
        return not dynamo.transact(items)

    def put_batch(self, batch: dict[str, Any]) -> None:
        self._table.put_item(Item=dynamo.storable(batch))

    # ------------------------------------------------------------------ ledger and reconciliation
    def balances(self) -> dict[str, int]:
        """Every ledger account's balance."""
        out: dict[str, int] = {}
        query: dict[str, Any] = {
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :l",
            "ExpressionAttributeValues": {":l": "LEDGER"},
        }
        while True:
            response = self._table.query(**query)
            for item in response.get("Items", []):
                out[str(item["gsi1sk"])] = int(item.get("balance", 0))
            if "LastEvaluatedKey" not in response:
                return out
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def journal(self, kind: str, reference: str) -> dict[str, Any] | None:
        return self._get(f"JOURNAL#{kind}#{reference}", "ENTRY")

    def record_mismatch(self, payment: dict[str, Any], provider_state: str, note: str, at: str) -> None:
        self._table.put_item(
            Item={
                "pk": f"MISMATCH#{payment['id']}",
                "sk": at,
                "payment_id": payment["id"],
                "order_id": payment["order_id"],
                "ours": payment["status"],
                "escrow": payment.get("escrow", "none"),
                "provider": provider_state,
                "note": note,
                "at": at,
                "gsi1pk": "MISMATCHES",
                "gsi1sk": f"{at}#{payment['id']}",
            }
        )

    def mismatches(self) -> list[dict[str, Any]]:
        response = self._table.query(
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :m",
            ExpressionAttributeValues={":m": "MISMATCHES"},
            ScanIndexForward=False,
            Limit=100,
        )
        return [dynamo.plain(i) for i in response.get("Items", [])]
