"""An in-memory payments table (soko.payments.ports.PaymentStore) with PaymentsDal's guarantees:
every change all-or-nothing, conditioned on the payment's version; a journal entry once per kind
and reference; the order's one live attempt. And a provider whose answers the test sets."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from soko.payments.ledger import Entry
from soko.payments.ports import Item
from soko.providers.http import ProviderError
from soko.providers.payments import Payer, ProviderStatus, RefundAnswer, Submitted
from soko.shared import cursor
from soko.shared.dynamo import Page
from soko.shared.events import EventDetail


class InMemoryPayments:
    def __init__(self) -> None:
        self.attempts: dict[str, Item] = {}
        self.payments: dict[str, Item] = {}
        self.payouts: dict[str, Item] = {}
        self.journal: dict[tuple[str, str], Entry] = {}
        self.balances: dict[str, int] = defaultdict(int)
        self.batches: list[Item] = []
        self.mismatch_log: list[Item] = []
        self.events: list[EventDetail] = []
        self.refunds: dict[str, Item] = {}
        self.cases: dict[str, Item] = {}
        self.postings: dict[str, list[Item]] = defaultdict(list)

    # ------------------------------------------------------------------ attempts and payments
    def claim_attempt(self, order_id: str, payment_id: str, now: int, stale_before: int) -> Item | None:
        held = self.attempts.get(order_id)
        free = held is None or held["state"] == "failed"
        stale = held is not None and held["state"] == "initiating" and held["claimed_at"] < stale_before
        if not (free or stale):
            return copy.deepcopy(held)
        self.attempts[order_id] = {"payment_id": payment_id, "state": "initiating", "claimed_at": now}
        return None

    def release_attempt(self, order_id: str, payment_id: str) -> None:
        attempt = self.attempts.get(order_id)
        if attempt and attempt["payment_id"] == payment_id:
            attempt["state"] = "failed"

    def get_attempt(self, order_id: str) -> Item | None:
        return copy.deepcopy(self.attempts.get(order_id))

    def create_payment(self, payment: Item) -> bool:
        attempt = self.attempts.get(payment["order_id"])
        if attempt is None or (attempt["payment_id"], attempt["state"]) != (payment["id"], "initiating"):
            return False
        self.payments[payment["id"]] = copy.deepcopy(payment)
        attempt.update(state="pending", tracking_id=payment["tracking_id"])
        return True

    def get_payment(self, payment_id: str) -> Item | None:
        return copy.deepcopy(self.payments.get(payment_id))

    def payment_by_tracking(self, tracking_id: str) -> Item | None:
        found = [p for p in self.payments.values() if p["tracking_id"] == tracking_id]
        return copy.deepcopy(found[0]) if found else None

    def change_payment(
        self,
        payment: Item,
        *,
        changes: Item,
        history: Item,
        now: str,
        remove: Sequence[str] = (),
        attempt_state: str | None = None,
        entries: Sequence[Entry] = (),
        events: Sequence[EventDetail] = (),
        new_items: Sequence[Item] = (),
        resolve_case: Item | None = None,
    ) -> bool:
        stored = self.payments[payment["id"]]
        attempt = self.attempts.get(payment["order_id"])
        case = self.cases.get(payment["id"])
        if (
            stored["version"] != payment["version"]
            or (attempt_state is not None and (attempt is None or attempt["payment_id"] != payment["id"]))
            or any(new["id"] in self._records(new) for new in new_items)
            or any((e.kind, e.reference) in self.journal for e in entries)
            or (resolve_case is not None and (case is None or case["status"] != "open"))
        ):
            return False  # the transaction is cancelled: nothing is written
        stored.update(copy.deepcopy(changes), version=stored["version"] + 1, updated_at=now)
        stored["history"] = [*stored["history"], history]
        for name in remove:
            stored.pop(name, None)
        if attempt_state is not None and attempt is not None:
            attempt["state"] = attempt_state
        for new in new_items:
            self._records(new)[new["id"]] = copy.deepcopy(new)
        if resolve_case is not None and case is not None:
            case.update(status="resolved", resolution=copy.deepcopy(resolve_case))
        for entry in entries:
            self._post(entry, now)
        self.events += events
        return True

    def _records(self, item: Item) -> dict[str, Item]:
        return self.refunds if str(item["pk"]).startswith("REFUND#") else self.payouts

    def payments_since(self, status: str, since: str) -> Iterator[Item]:
        for payment in list(self.payments.values()):
            if payment.get("gsi2pk") == f"STATUS#{status}" and payment["created_at"] >= since:
                yield copy.deepcopy(payment)

    # ------------------------------------------------------------------ payouts and the ledger
    def due_payouts(self, now: str, limit: int) -> list[Item]:
        due = [p for p in self.payouts.values() if p["status"] == "scheduled" and p["due_at"] <= now]
        return copy.deepcopy(due[:limit])

    def settle_payout(
        self, payout: Item, *, batch_id: str, entry: Entry, now: str, events: Sequence[EventDetail] = ()
    ) -> bool:
        stored = self.payouts[payout["id"]]
        if stored["status"] != "scheduled" or (entry.kind, entry.reference) in self.journal:
            return False
        stored.update(status="settled", batch_id=batch_id, settled_at=now)
        self._post(entry, now)
        self.events += events
        return True

    def put_batch(self, batch: Item) -> None:
        self.batches.append(copy.deepcopy(batch))

    # ------------------------------------------------------------------ refunds
    def get_refund(self, payment_id: str) -> Item | None:
        return copy.deepcopy(self.refunds.get(payment_id))

    def start_refund_call(self, refund: Item, now: str) -> bool:
        stored = self.refunds[refund["id"]]
        if stored["version"] != refund["version"] or stored["status"] != "requested":
            return False
        stored.update(attempts=stored["attempts"] + 1, version=stored["version"] + 1, last_call_at=now)
        return True

    def change_refund(
        self,
        refund: Item,
        *,
        changes: Item,
        now: str,
        entries: Sequence[Entry] = (),
        events: Sequence[EventDetail] = (),
        open_case: Item | None = None,
        resolve_case: Item | None = None,
    ) -> bool:
        stored = self.refunds[refund["id"]]
        case = self.cases.get(refund["payment_id"])
        if (
            stored["version"] != refund["version"]
            or any((e.kind, e.reference) in self.journal for e in entries)
            or (resolve_case is not None and (case is None or case["status"] != "open"))
        ):
            return False
        stored.update(copy.deepcopy(changes), version=stored["version"] + 1, updated_at=now)
        if changes.get("status") != "requested":
            stored.pop("gsi2pk", None)
        for entry in entries:
            self._post(entry, now)
        if open_case is not None:
            self._open(open_case, now)
        if resolve_case is not None and case is not None:
            case.update(status="resolved", resolution=copy.deepcopy(resolve_case))
        self.events += events
        return True

    def refunds_due(self, before: str) -> Iterator[Item]:
        for refund in list(self.refunds.values()):
            if refund.get("gsi2pk") == "REFUNDS#requested" and refund["created_at"] < before:
                yield copy.deepcopy(refund)

    # ------------------------------------------------------------------ mismatch cases
    def _open(self, case: Item, at: str) -> None:
        stored = self.cases.setdefault(case["payment_id"], {"first_at": at, "seen": 0})
        stored.update(copy.deepcopy(case), status="open", last_at=at, seen=stored["seen"] + 1)
        stored.pop("resolution", None)

    def record_mismatch(self, case: Item, at: str) -> bool:
        self.mismatch_log.append(copy.deepcopy(case))
        before = self.cases.get(case["payment_id"])
        if (
            before is not None
            and before["status"] == "resolved"
            and before["provider_state"] == case["provider_state"]
        ):
            return False
        was_open = before is not None and before["status"] == "open"
        self._open(case, at)
        return not was_open

    def mismatches(self) -> list[Item]:
        return copy.deepcopy(self.mismatch_log)

    def get_case(self, payment_id: str) -> Item | None:
        return copy.deepcopy(self.cases.get(payment_id))

    def open_cases(self, limit: int, cursor_token: str | None) -> Page:
        cases = sorted(
            (c for c in self.cases.values() if c["status"] == "open"),
            key=lambda c: (c["first_at"], c["payment_id"]),
        )
        return _page(cases, limit, cursor_token, "fake:cases")

    # ------------------------------------------------------------------ the ledger
    def balance(self, account: str) -> Item | None:
        return {"balance": self.balances[account]} if account in self.balances else None

    def account_entries(self, account: str, limit: int, cursor_token: str | None) -> Page:
        return _page(list(reversed(self.postings.get(account, []))), limit, cursor_token, f"fake:{account}")

    def _post(self, entry: Entry, at: str = "") -> None:
        self.journal[(entry.kind, entry.reference)] = entry
        for posting in entry.postings:
            self.balances[posting.account] += posting.amount
            self.postings[posting.account].append(
                {"kind": entry.kind, "reference": entry.reference, "amount": posting.amount, "at": at}
            )


def _page(items: list[Item], limit: int, cursor_token: str | None, scope: str) -> Page:
    start = int(cursor.decode(cursor_token, scope=scope, key_names={"n"})["n"]) if cursor_token else 0
    end = start + limit
    more = end < len(items)
    return Page(
        items=copy.deepcopy(items[start:end]),
        next_cursor=cursor.encode({"n": str(end)}, scope=scope) if more else None,
    )


@dataclass
class FakeProvider:
    """A payment provider whose status answers the test sets (``answers[tracking_id]``). Refunds:
    one per payment, like PesaPal (a second is a ``duplicate``); ``refuse_refunds`` makes it refuse,
    ``lose_refund_answers`` accepts the next n refunds and then raises as if the answer were lost,
    ``down`` raises on every call; ``chooses_ids`` makes it a MoMo (the id is ours, known first)."""

    name: str = "fake"
    answers: dict[str, ProviderStatus] = field(default_factory=dict)
    submitted: list[tuple[str, int, str]] = field(default_factory=list)
    refunds: list[tuple[str, int]] = field(default_factory=list)
    refuse_refunds: bool = False
    lose_refund_answers: int = 0
    down: bool = False
    chooses_ids: bool = False
    lose_submit_answers: int = 0
    drop_submits: int = 0  # the next n submits never arrive (raised before the provider has them)

    def reference_id(self, reference: str) -> str:
        return f"T-{reference}" if self.chooses_ids else ""

    def submit(
        self, *, reference: str, amount: int, currency: str, description: str, payer: Payer
    ) -> Submitted:
        if self.down or self.drop_submits:
            self.drop_submits = max(0, self.drop_submits - 1)
            raise ProviderError("provider unreachable: TimeoutError")
        self.submitted.append((reference, amount, currency))
        if self.lose_submit_answers:
            self.lose_submit_answers -= 1
            raise ProviderError("provider unreachable: TimeoutError")
        return Submitted(tracking_id=f"T-{reference}", redirect_url=f"https://pay.example/{reference}")

    def status(self, tracking_id: str) -> ProviderStatus:
        if self.down:
            raise ProviderError("provider unreachable: TimeoutError")
        reference = tracking_id.removeprefix("T-")
        known = any(r == reference for r, _, _ in self.submitted)
        return self.answers.get(tracking_id, ProviderStatus("pending", None, "", reference, known=known))

    def refund(
        self, *, confirmation_code: str, tracking_id: str, amount: int, full: bool, remarks: str
    ) -> RefundAnswer:
        if self.down:
            raise ProviderError("provider unreachable: TimeoutError")
        if self.refuse_refunds:
            return RefundAnswer("refused", "Mobile money refunds are in full only.")
        if any(code == confirmation_code for code, _ in self.refunds):
            return RefundAnswer("duplicate", "A refund was already requested for this payment.")
        self.refunds.append((confirmation_code, amount))
        if self.lose_refund_answers:
            self.lose_refund_answers -= 1
            raise ProviderError("provider unreachable: TimeoutError")
        return RefundAnswer("accepted", "Refund request successfully")

    def says(self, payment: Item, state: str, amount: int | None = None, currency: str = "UGX") -> None:
        """The provider's next answer about ``payment``."""
        self.answers[payment["tracking_id"]] = ProviderStatus(
            state,  # type: ignore[arg-type]
            int(payment["amount_ugx"]) if amount is None else amount,
            currency,
            payment["merchant_reference"],
            confirmation_code=f"MP{payment['id'][-6:]}",
        )
