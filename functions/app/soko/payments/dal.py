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
| a farmer's ledger entries by time (statements) | ``FARMER#<farmer>`` / ``ENTRY#<at>#<kind>#<reference>`` |
| an order's ledger entries by time (money trail) | ``ORDER#<order>`` / ``ENTRY#<at>#<kind>#<reference>`` |
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

from soko.payments.ledger import Entry
from soko.shared import dynamo
from soko.shared.events import EventDetail


class PaymentsDal(dynamo.TableDal):
    def _journal(self, entry: Entry, at: str, about: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The entry (once per kind and reference) and its postings on the account balances; with
        ``about`` (the payment or payout it is about), its copies under the farmer and the order
        (see :meth:`_entry_copies`)."""
        journal = {
            "pk": f"JOURNAL#{entry.kind}#{entry.reference}",
            "sk": "ENTRY",
            "kind": entry.kind,
            "reference": entry.reference,
            "postings": [p.model_dump() for p in entry.postings],
            "at": at,
        }
        return [
            self._put_new(journal),
            *(
                self._update(
                    {"pk": f"ACCOUNT#{posting.account}", "sk": "BALANCE"},
                    "ADD balance :a SET gsi1pk = :l, gsi1sk = :n, updated_at = :at",
                    values={":a": posting.amount, ":l": "LEDGER", ":n": posting.account, ":at": at},
                )
                for posting in entry.postings
            ),
            *self._entry_copies(entry, at, about),
        ]

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
        except dynamo.ClientError as err:
            if dynamo.error_code(err) != dynamo.CONDITION_FAILED:
                dynamo.raise_if_throttled(err)
                raise
            old = err.response.get("Item") or {}
            from boto3.dynamodb.types import TypeDeserializer  # noqa: PLC0415

            held: dict[str, Any] = dynamo.plain(
                {k: TypeDeserializer().deserialize(v) for k, v in old.items()}
            )
            return held

    def release_attempt(self, order_id: str, payment_id: str) -> None:
        self._update_if(
            {"pk": f"ORDER#{order_id}", "sk": "ATTEMPT"},
            "SET #s = :failed",
            condition="payment_id = :p",
            names={"#s": "state"},
            values={":failed": "failed", ":p": payment_id},
        )

    def get_attempt(self, order_id: str) -> dict[str, Any] | None:
        return self._get(f"ORDER#{order_id}", "ATTEMPT")

    def create_payment(self, payment: dict[str, Any]) -> bool:
        """Write a submitted payment and mark its attempt pending; False if the claim was lost."""
        codes = dynamo.transact(
            [
                self._put_new(payment),
                self._update(
                    {"pk": f"ORDER#{payment['order_id']}", "sk": "ATTEMPT"},
                    "SET #s = :pending, tracking_id = :t",
                    condition="payment_id = :p AND #s = :initiating",
                    names={"#s": "state"},
                    values={
                        ":pending": "pending",
                        ":t": payment["tracking_id"],
                        ":p": payment["id"],
                        ":initiating": "initiating",
                    },
                ),
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
        payout: dict[str, Any] | None = None,
    ) -> bool:
        """Apply ``changes`` to a payment read at its ``version`` (and create ``payout``, once); False
        if it changed meanwhile."""
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
            self._update(
                {"pk": payment["pk"], "sk": "PAYMENT"},
                expression,
                condition="#ver = :v",
                names=names,
                values=values,
            )
        ]
        if attempt_state is not None:
            items.append(
                self._update(
                    {"pk": f"ORDER#{payment['order_id']}", "sk": "ATTEMPT"},
                    "SET #s = :s",
                    condition="payment_id = :p",
                    names={"#s": "state"},
                    values={":s": attempt_state, ":p": payment["id"]},
                )
            )
        if payout is not None:
            items.append(self._put_new(payout))
        if entry is not None:
            items += self._journal(entry, now, payment)
        items += self._outbox(events)
        return not dynamo.transact(items)

    def payments_since(self, status: str, since: str) -> Iterator[dict[str, Any]]:
        """Payments in ``status`` created at or after ``since`` (every page)."""
        return dynamo.read_all_pages(
            self._table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :p AND gsi2sk >= :since",
            ExpressionAttributeValues={":p": f"STATUS#{status}", ":since": since},
        )

    # ------------------------------------------------------------------ payouts
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
            self._update(
                {"pk": payout["pk"], "sk": "PAYOUT"},
                "SET #s = :settled, batch_id = :b, settled_at = :now REMOVE gsi2pk, gsi2sk",
                condition="#s = :scheduled",
                names={"#s": "status"},
                values={":settled": "settled", ":b": batch_id, ":now": now, ":scheduled": "scheduled"},
            ),
            *self._journal(entry, now, payout),
            *self._outbox(events),
        ]
        return not dynamo.transact(items)

    def put_batch(self, batch: dict[str, Any]) -> None:
        self._table.put_item(Item=dynamo.storable(batch))

    # ------------------------------------------------------------------ reconciliation
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

    # ------------------------------------------------------------------ statements and money trails
    def _entry_copies(self, entry: Entry, at: str, about: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Copies of a journal entry under its farmer and its order (each when ``about``, the
        payment, payout or refund the entry is about, names one), keyed by time: a farmer's
        statement and an order's money trail are each one ``Query`` (written in the entry's own
        transaction, so they hold exactly the entries the balances hold)."""
        if about is None:
            return []
        line = {
            "sk": f"ENTRY#{at}#{entry.kind}#{entry.reference}",
            "kind": entry.kind,
            "reference": entry.reference,
            "order_id": str(about.get("order_id", "")),
            "postings": [p.model_dump() for p in entry.postings],
            "at": at,
        }
        owners = [f"FARMER#{about['farmer_id']}"] if about.get("farmer_id") else []
        owners += [f"ORDER#{about['order_id']}"] if about.get("order_id") else []
        return [self._put_new({**line, "pk": owner}) for owner in owners]

    def farmer_entries(self, farmer_id: str, before: str) -> list[dict[str, Any]]:
        """The farmer's ledger entries written before ``before`` (ISO time), oldest first."""
        return list(
            dynamo.read_all_pages(
                self._table,
                KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
                ExpressionAttributeValues={
                    ":p": f"FARMER#{farmer_id}",
                    ":lo": "ENTRY#",
                    ":hi": f"ENTRY#{before}",
                },
                ConsistentRead=True,
            )
        )

    def order_entries(self, order_id: str) -> list[dict[str, Any]]:
        """The order's ledger entries, oldest first."""
        return list(
            dynamo.read_all_pages(
                self._table,
                KeyConditionExpression="pk = :p AND begins_with(sk, :e)",
                ExpressionAttributeValues={":p": f"ORDER#{order_id}", ":e": "ENTRY#"},
                ConsistentRead=True,
            )
        )
