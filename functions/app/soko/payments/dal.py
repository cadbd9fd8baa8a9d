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
| a transporter's entries (statements) | ``TRANSPORTER#<user>`` / ``ENTRY#<at>#<kind>#<reference>`` |
| an order's ledger entries by time (money trail) | ``ORDER#<order>`` / ``ENTRY#<at>#<kind>#<reference>`` |
| an account's balance; all accounts | ``ACCOUNT#<name>`` / ``BALANCE``; gsi1: ``LEDGER`` / ``<name>`` |
| an account's postings, by time (admin ledger) | ``ACCOUNT#<name>`` / ``ENTRY#<at>#<kind>#<reference>`` |
| settlement batch | ``BATCH#<id>`` / ``BATCH`` |
| a refund, recorded before the provider is called | ``REFUND#<payment>`` / ``REFUND`` |
| refunds the provider has not accepted (reconcile) | gsi2: ``REFUNDS#requested`` / ``<at>#<payment>`` |
| a payment's mismatch case (open or resolved) | ``MISMATCH#<payment>`` / ``CASE`` |
| open mismatch cases, oldest first (admin) | gsi1: ``MISMATCHES#open`` / ``<first at>#<payment>`` (sparse) |
| each time a mismatch was seen | ``MISMATCH#<payment>`` / ``SEEN#<at>`` |
| outbox events | ``OUTBOX#<event id>`` / ``EVENT`` (TTL) |

Every status change is one transaction: the payment (optimistic lock on ``version``), the
order's attempt, the ledger entries with their account balances and postings, a new payout or
refund record, the mismatch case an admin resolves, and the outbox events. A ledger entry is
written once per ``(kind, reference)``, so a replayed change can never post twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from soko.payments.ledger import Entry
from soko.shared import dynamo
from soko.shared.events import EventDetail


class PaymentsDal(dynamo.TableDal):
    def _journal(
        self, entries: Sequence[Entry], at: str, about: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Each entry (once per kind and reference), its postings on the accounts' lists, and one
        balance update per account (a transaction may touch an item only once); with ``about`` (the
        payment, payout or refund the entries are about), their copies under the farmer and the
        order (see :meth:`_entry_copies`)."""
        items: list[dict[str, Any]] = []
        totals: dict[str, int] = {}
        for entry in entries:
            items.append(
                self._put_new(
                    {
                        "pk": f"JOURNAL#{entry.kind}#{entry.reference}",
                        "sk": "ENTRY",
                        "kind": entry.kind,
                        "reference": entry.reference,
                        "postings": [p.model_dump() for p in entry.postings],
                        "at": at,
                    }
                )
            )
            for posting in entry.postings:
                totals[posting.account] = totals.get(posting.account, 0) + posting.amount
                items.append(
                    self._put(
                        {
                            "pk": f"ACCOUNT#{posting.account}",
                            "sk": f"ENTRY#{at}#{entry.kind}#{entry.reference}",
                            "account": posting.account,
                            "kind": entry.kind,
                            "reference": entry.reference,
                            "amount": posting.amount,
                            "at": at,
                        }
                    )
                )
        items += [
            self._update(
                {"pk": f"ACCOUNT#{account}", "sk": "BALANCE"},
                "ADD balance :a SET gsi1pk = :l, gsi1sk = :n, updated_at = :at",
                values={":a": amount, ":l": "LEDGER", ":n": account, ":at": at},
            )
            for account, amount in totals.items()
        ]
        items += [copy for entry in entries for copy in self._entry_copies(entry, at, about)]
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
        entries: Sequence[Entry] = (),
        events: Sequence[EventDetail] = (),
        new_items: Sequence[dict[str, Any]] = (),
        resolve_case: dict[str, Any] | None = None,
    ) -> bool:
        """Apply ``changes`` to a payment read at its ``version`` (and create ``new_items``, a payout
        or a refund record, once; and close the payment's open mismatch case with
        ``resolve_case``); False if it changed meanwhile."""
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
        items += [self._put_new(new) for new in new_items]
        if resolve_case is not None:
            items.append(self._resolve_case(str(payment["id"]), resolve_case))
        items += self._journal(entries, now, payment)
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
            *self._journal([entry], now, payout),
            *self._outbox(events),
        ]
        return not dynamo.transact(items)

    def put_batch(self, batch: dict[str, Any]) -> None:
        self._table.put_item(Item=dynamo.storable(batch))

    # ------------------------------------------------------------------ documents sent to people
    def claim_delivery(self, key: str, user_id: str, channel: str, at: str) -> bool:
        """Claim the delivery ``key`` (``DELIVERY#<key>``); False if it was claimed before."""
        item = {
            "pk": f"DELIVERY#{key}",
            "sk": "DELIVERY",
            "user_id": user_id,
            "channel": channel,
            "status": "sending",
            "created_at": at,
        }
        return self._put_if(item, "attribute_not_exists(pk)")

    def release_delivery(self, key: str) -> None:
        """Forget a claim whose send failed, so a retry may send (only while it is still sending)."""
        self._delete_if_sending(key)

    def mark_delivered(self, key: str, message_id: str, at: str) -> None:
        self._update_if(
            {"pk": f"DELIVERY#{key}", "sk": "DELIVERY"},
            "SET #s = :sent, message_id = :m, sent_at = :at",
            condition="attribute_exists(pk)",
            names={"#s": "status"},
            values={":sent": "sent", ":m": message_id, ":at": at},
        )

    def _delete_if_sending(self, key: str) -> None:
        dynamo.applied(
            lambda: self._table.delete_item(
                Key={"pk": f"DELIVERY#{key}", "sk": "DELIVERY"},
                ConditionExpression="#s = :sending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":sending": "sending"},
            )
        )

    # ------------------------------------------------------------------ refunds
    def get_refund(self, payment_id: str) -> dict[str, Any] | None:
        return self._get(f"REFUND#{payment_id}", "REFUND")

    def start_refund_call(self, refund: dict[str, Any], now: str) -> bool:
        """Count a provider call before it is made (a later retry then checks the provider first);
        False if the refund changed meanwhile."""
        return self._update_if(
            {"pk": refund["pk"], "sk": "REFUND"},
            "SET attempts = attempts + :one, #ver = #ver + :one, last_call_at = :now, updated_at = :now",
            condition="#ver = :v AND #s = :requested",
            names={"#ver": "version", "#s": "status"},
            values={":one": 1, ":now": now, ":v": int(refund["version"]), ":requested": "requested"},
        )

    def change_refund(
        self,
        refund: dict[str, Any],
        *,
        changes: dict[str, Any],
        now: str,
        entries: Sequence[Entry] = (),
        events: Sequence[EventDetail] = (),
        open_case: dict[str, Any] | None = None,
        resolve_case: dict[str, Any] | None = None,
    ) -> bool:
        """Move a refund on (guarded by its ``version``), with its ledger entries and events, opening
        or closing its payment's mismatch case; False if it changed meanwhile."""
        values: dict[str, Any] = {":v": int(refund["version"]), ":one": 1, ":now": now}
        names: dict[str, str] = {"#ver": "version"}
        sets = ["#ver = #ver + :one", "updated_at = :now"]
        for n, (name, value) in enumerate(changes.items()):
            names[f"#c{n}"] = name
            values[f":c{n}"] = value
            sets.append(f"#c{n} = :c{n}")
        expression = "SET " + ", ".join(sets)
        if changes.get("status") != "requested":
            expression += " REMOVE gsi2pk, gsi2sk"
        items = [
            self._update(
                {"pk": refund["pk"], "sk": "REFUND"},
                expression,
                condition="#ver = :v",
                names=names,
                values=values,
            ),
            *self._journal(entries, now, refund),
            *self._outbox(events),
        ]
        if open_case is not None:
            items.append(self._open_case(open_case, now))
        if resolve_case is not None:
            items.append(self._resolve_case(str(refund["payment_id"]), resolve_case))
        return not dynamo.transact(items)

    def refunds_due(self, before: str) -> Iterator[dict[str, Any]]:
        """Refunds recorded before ``before`` that the provider has not accepted yet (every page)."""
        return dynamo.read_all_pages(
            self._table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :p AND gsi2sk < :before",
            ExpressionAttributeValues={":p": "REFUNDS#requested", ":before": before},
        )

    # ------------------------------------------------------------------ mismatch cases
    def _open_case(self, case: dict[str, Any], at: str) -> dict[str, Any]:
        """Open (or keep open, counting it) the case of ``case['payment_id']``."""
        return self._update(
            {"pk": f"MISMATCH#{case['payment_id']}", "sk": "CASE"},
            "SET #s = :open, payment_id = :p, order_id = :o, kind = :k, ours = :ours, escrow = :e, "
            "provider_state = :ps, note = :note, last_at = :at, "
            "first_at = if_not_exists(first_at, :at), gsi1pk = :g, "
            "gsi1sk = if_not_exists(gsi1sk, :gs) ADD seen :one REMOVE resolution",
            names={"#s": "status"},
            values={
                ":open": "open",
                ":p": case["payment_id"],
                ":o": case["order_id"],
                ":k": case["kind"],
                ":ours": case["ours"],
                ":e": case["escrow"],
                ":ps": case["provider_state"],
                ":note": case["note"],
                ":at": at,
                ":g": "MISMATCHES#open",
                ":gs": f"{at}#{case['payment_id']}",
                ":one": 1,
            },
        )

    def _resolve_case(self, payment_id: str, resolution: dict[str, Any]) -> dict[str, Any]:
        return self._update(
            {"pk": f"MISMATCH#{payment_id}", "sk": "CASE"},
            "SET #s = :resolved, resolution = :r REMOVE gsi1pk, gsi1sk",
            condition="#s = :open",
            names={"#s": "status"},
            values={":resolved": "resolved", ":r": resolution, ":open": "open"},
        )

    def record_mismatch(self, case: dict[str, Any], at: str) -> bool:
        """Record that a payment disagrees with its provider: a new or reopened case (True), or one
        already open, counted (False). A case an admin resolved for this provider state stays closed."""
        self._table.put_item(
            Item={
                "pk": f"MISMATCH#{case['payment_id']}",
                "sk": f"SEEN#{at}",
                **{k: case[k] for k in ("payment_id", "provider_state", "note")},
                "at": at,
            }
        )
        before = self.get_case(str(case["payment_id"]))
        if (
            before is not None
            and before.get("status") == "resolved"
            and (before.get("provider_state") == case["provider_state"])
        ):
            return False
        dynamo.transact([self._open_case(case, at)])
        return before is None or before.get("status") != "open"

    def get_case(self, payment_id: str) -> dict[str, Any] | None:
        return self._get(f"MISMATCH#{payment_id}", "CASE")

    def open_cases(self, limit: int, cursor_token: str | None) -> dynamo.Page:
        """Open mismatch cases, oldest first."""
        page = dynamo.query_page(
            self._table,
            scope="payments:mismatches:open",
            key_names=frozenset({"pk", "sk", "gsi1pk", "gsi1sk"}),
            numeric_keys=frozenset(),
            limit=limit,
            cursor_token=cursor_token,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :g",
            ExpressionAttributeValues={":g": "MISMATCHES#open"},
        )
        return dynamo.Page(items=[dynamo.plain(i) for i in page.items], next_cursor=page.next_cursor)

    # ------------------------------------------------------------------ the ledger
    def balance(self, account: str) -> dict[str, Any] | None:
        return self._get(f"ACCOUNT#{account}", "BALANCE")

    def account_entries(self, account: str, limit: int, cursor_token: str | None) -> dynamo.Page:
        """An account's postings, newest first."""
        page = dynamo.query_page(
            self._table,
            scope=f"payments:ledger:{account}",
            key_names=frozenset({"pk", "sk"}),
            numeric_keys=frozenset(),
            limit=limit,
            cursor_token=cursor_token,
            KeyConditionExpression="pk = :p AND begins_with(sk, :e)",
            ExpressionAttributeValues={":p": f"ACCOUNT#{account}", ":e": "ENTRY#"},
            ScanIndexForward=False,
        )
        return dynamo.Page(items=[dynamo.plain(i) for i in page.items], next_cursor=page.next_cursor)

    # ------------------------------------------------------------------ statements and money trails
    def _entry_copies(self, entry: Entry, at: str, about: dict[str, Any] | None) -> list[dict[str, Any]]:
        """Copies of a journal entry under its farmer and its order (each when ``about``, the
        payment, payout or refund the entry is about, names one), and a pooled order's
        ``coop_split`` under each member it pays, keyed by time: a farmer's
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
        owners += [  # a pooled order's split: each member's (and the fee payee's) share
            f"FARMER#{p.account.removeprefix('farmer:')}"
            for p in entry.postings
            if entry.kind == "coop_split"
            and p.account.startswith("farmer:")
            and f"FARMER#{p.account.removeprefix('farmer:')}" not in owners
        ]
        owners += [f"ORDER#{about['order_id']}"] if about.get("order_id") else []
        owners += [  # a transporter's fares and payouts: the entries that touch their account
            f"TRANSPORTER#{p.account.removeprefix('transporter:')}"
            for p in entry.postings
            if p.account.startswith("transporter:")
        ]
        return [self._put_new({**line, "pk": owner}) for owner in owners]

    def farmer_entries(self, farmer_id: str, before: str, *, owner: str = "FARMER") -> list[dict[str, Any]]:
        """The farmer's (``owner="TRANSPORTER"``: the transporter's) ledger entries written before
        ``before`` (ISO time), oldest first."""
        return list(
            dynamo.read_all_pages(
                self._table,
                KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
                ExpressionAttributeValues={
                    ":p": f"{owner}#{farmer_id}",
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
