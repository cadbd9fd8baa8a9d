"""What the payment rules need: the payments table, the provider and the order (narrow ports, so
the rules run against :class:`soko.payments.dal.PaymentsDal` in a function and against in-memory
fakes in unit tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from soko.payments.ledger import Entry
from soko.payments.models import PaymentsConfig
from soko.providers.payments import PaymentProvider
from soko.shared.dynamo import Page
from soko.shared.events import EventDetail
from soko.shared.timers import Timers

if TYPE_CHECKING:
    from soko.coops.public import PayoutSplit

type Item = dict[str, Any]


class OrderView(Protocol):
    """What payments needs to know about an order (the marketplace owns orders)."""

    @property
    def id(self) -> str: ...
    @property
    def buyer_id(self) -> str: ...
    @property
    def farmer_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def total_ugx(self) -> int: ...
    @property
    def title(self) -> str: ...


class TransportView(Protocol):
    """What payments needs to know about an order's transport (logistics owns bookings; read
    through ``soko.logistics.public.LogisticsReads.order_transport``, strongly consistent)."""

    @property
    def booking_id(self) -> str: ...
    @property
    def transporter_id(self) -> str: ...
    @property
    def fare_ugx(self) -> int: ...
    @property
    def status(self) -> str: ...


class PaymentStore(Protocol):
    """Attempts, payments, payouts, refunds, the ledger and mismatch cases. Every change is
    all-or-nothing and conditioned on the payment's (or refund's) version: False means it changed
    meanwhile and nothing was written."""

    def claim_attempt(self, order_id: str, payment_id: str, now: int, stale_before: int) -> Item | None: ...
    def release_attempt(self, order_id: str, payment_id: str) -> None: ...
    def get_attempt(self, order_id: str) -> Item | None: ...
    def create_payment(self, payment: Item) -> bool: ...
    def get_payment(self, payment_id: str) -> Item | None: ...
    def payment_by_tracking(self, tracking_id: str) -> Item | None: ...
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
    ) -> bool: ...
    def payments_since(self, status: str, since: str) -> Iterator[Item]: ...
    def due_payouts(self, now: str, limit: int) -> list[Item]: ...
    def settle_payout(
        self, payout: Item, *, batch_id: str, entry: Entry, now: str, events: Sequence[EventDetail] = ()
    ) -> bool: ...
    def put_batch(self, batch: Item) -> None: ...
    def get_refund(self, payment_id: str) -> Item | None: ...
    def start_refund_call(self, refund: Item, now: str) -> bool: ...
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
    ) -> bool: ...
    def refunds_due(self, before: str) -> Iterator[Item]: ...
    def record_mismatch(self, case: Item, at: str) -> bool: ...
    def get_case(self, payment_id: str) -> Item | None: ...
    def open_cases(self, limit: int, cursor_token: str | None) -> Page: ...
    def balance(self, account: str) -> Item | None: ...
    def account_entries(self, account: str, limit: int, cursor_token: str | None) -> Page: ...


@dataclass
class Payments:
    """What the payment rules need, built per request by ``soko.payments.deps.payments``."""

    config: PaymentsConfig
    dal: PaymentStore
    provider: Callable[[], PaymentProvider]
    order: Callable[[str], OrderView | None]
    timers: Timers | None = None  # the attempts' expiry timers (None where no function sets one)
    # The order's transport (None: a function that never prices or closes an escrow, so reads none).
    transport: Callable[[str], TransportView | None] | None = None
    # A pooled order's split among the coop's members (soko.coops.public.CoopReads.payout_split;
    # None: a function that never pays out a pooled order)
    payout_split: Callable[[str], PayoutSplit | None] | None = None


class LedgerReads(Protocol):
    """What statements, receipts and money trails read: a farmer's (or a transporter's, with
    ``owner="TRANSPORTER"``) and an order's ledger entries
    (copies of the journal, keyed by time) and the order's paid attempt."""

    def farmer_entries(self, farmer_id: str, before: str, *, owner: str = "FARMER") -> list[Item]: ...
    def order_entries(self, order_id: str) -> list[Item]: ...
    def get_attempt(self, order_id: str) -> Item | None: ...
    def get_payment(self, payment_id: str) -> Item | None: ...


@dataclass
class Reports:
    """What earnings, statements and receipts need, built per request by
    ``soko.payments.deps.reports``: the ledger, the order, and a user's language ("en" or "lg")
    and name ("" when unknown)."""

    dal: LedgerReads
    order: Callable[[str], OrderView | None]
    language: Callable[[str], str]
    full_name: Callable[[str], str] = lambda _: ""


class Deliveries(Protocol):
    """Delivery records of payment documents sent to people (one per key, e.g. ``receipt#<event id>``):
    claimed before sending (a conditional put: False when already claimed), released when the send
    failed, marked with the provider's message id when it went."""

    def claim_delivery(self, key: str, user_id: str, channel: str, at: str) -> bool: ...
    def release_delivery(self, key: str) -> None: ...
    def mark_delivered(self, key: str, message_id: str, at: str) -> None: ...
