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
from soko.providers.payments import Payer, ProviderStatus, Submitted
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
        entry: Entry | None = None,
        events: Sequence[EventDetail] = (),
        payout: Item | None = None,
    ) -> bool:
        stored = self.payments[payment["id"]]
        attempt = self.attempts.get(payment["order_id"])
        if (
            stored["version"] != payment["version"]
            or (attempt_state is not None and (attempt is None or attempt["payment_id"] != payment["id"]))
            or (payout is not None and payout["id"] in self.payouts)
            or (entry is not None and (entry.kind, entry.reference) in self.journal)
        ):
            return False  # the transaction is cancelled: nothing is written
        stored.update(copy.deepcopy(changes), version=stored["version"] + 1, updated_at=now)
        stored["history"] = [*stored["history"], history]
        for name in remove:
            stored.pop(name, None)
        if attempt_state is not None and attempt is not None:
            attempt["state"] = attempt_state
        if payout is not None:
            self.payouts[payout["id"]] = copy.deepcopy(payout)
        if entry is not None:
            self._post(entry)
        self.events += events
        return True

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
        self._post(entry)
        self.events += events
        return True

    def put_batch(self, batch: Item) -> None:
        self.batches.append(copy.deepcopy(batch))

    def record_mismatch(self, payment: Item, provider_state: str, note: str, at: str) -> None:
        self.mismatch_log.append({"payment_id": payment["id"], "provider": provider_state, "note": note})

    def mismatches(self) -> list[Item]:
        return copy.deepcopy(self.mismatch_log)

    def _post(self, entry: Entry) -> None:
        self.journal[(entry.kind, entry.reference)] = entry
        for posting in entry.postings:
            self.balances[posting.account] += posting.amount


@dataclass
class FakeProvider:
    """A payment provider whose status answers the test sets (``answers[tracking_id]``)."""

    name: str = "fake"
    answers: dict[str, ProviderStatus] = field(default_factory=dict)
    submitted: list[tuple[str, int, str]] = field(default_factory=list)
    refunds: list[tuple[str, int]] = field(default_factory=list)

    def submit(
        self, *, reference: str, amount: int, currency: str, description: str, payer: Payer
    ) -> Submitted:
        self.submitted.append((reference, amount, currency))
        return Submitted(tracking_id=f"T-{reference}", redirect_url=f"https://pay.example/{reference}")

    def status(self, tracking_id: str) -> ProviderStatus:
        reference = tracking_id.removeprefix("T-")
        return self.answers.get(tracking_id, ProviderStatus("pending", None, "", reference))

    def refund(self, *, confirmation_code: str, amount: int, remarks: str) -> None:
        self.refunds.append((confirmation_code, amount))

    def says(self, payment: Item, state: str, amount: int | None = None, currency: str = "UGX") -> None:
        """The provider's next answer about ``payment``."""
        self.answers[payment["tracking_id"]] = ProviderStatus(
            state,  # type: ignore[arg-type]
            int(payment["amount_ugx"]) if amount is None else amount,
            currency,
            payment["merchant_reference"],
            confirmation_code=f"MP{payment['id'][-6:]}",
        )
