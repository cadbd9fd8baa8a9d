"""Payment event contracts (source ``soko.payments``). Money is integer UGX.

The ML layer reads buyer payment reliability from ``PaymentCompleted`` and ``PaymentFailed``
(``buyer_id``, ``order_id``, ``attempt``); the marketplace shows the order's payment status from
all of them.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from soko.shared.audit import AdminAction
from soko.shared.events import EventDetail


class _Payment(EventDetail):
    SOURCE: ClassVar[str] = "soko.payments"

    payment_id: str
    order_id: str
    buyer_id: str
    farmer_id: str
    amount_ugx: int
    currency: str
    provider: str
    fare_ugx: int = 0  # the transport fare included in amount_ugx (added in issue 17; optional)


class PaymentCompleted(_Payment):
    """The buyer's money is held in escrow until the order completes."""

    DETAIL_TYPE: ClassVar[str] = "PaymentCompleted"

    confirmation_code: str


class PaymentFailed(_Payment):
    DETAIL_TYPE: ClassVar[str] = "PaymentFailed"

    reason: str


class PaymentReversed(_Payment):
    """The provider reversed a payment (a chargeback); the escrow went back to the buyer."""

    DETAIL_TYPE: ClassVar[str] = "PaymentReversed"


class PaymentExpired(_Payment):
    """An attempt not completed within ``PaymentAttemptTtlMinutes``: the order is free for another
    attempt. Money the provider still takes for it later is honoured (credited, and refunded if the
    order was paid by another attempt or is no longer payable)."""

    DETAIL_TYPE: ClassVar[str] = "PaymentExpired"

    expired_at: str


class PayoutScheduled(EventDetail):
    SOURCE: ClassVar[str] = "soko.payments"
    DETAIL_TYPE: ClassVar[str] = "PayoutScheduled"

    payout_id: str
    payment_id: str
    order_id: str
    farmer_id: str
    gross_ugx: int
    fee_ugx: int
    net_ugx: int  # gross - fee - fare_ugx
    due_at: str
    fare_ugx: int = 0  # a transport fare out of the farmer's proceeds (issue 17; optional)
    # issue 18 (optional): a cooperative's pooled order is paid to its members and the coop's fee
    # payee, one PayoutScheduled each: ``farmer_id`` the payee, ``coop_payee`` which part it is
    coop_id: str | None = None
    coop_payee: Literal["member", "fee"] | None = None


class PayoutSent(EventDetail):
    """A payout settled: the farmer's balance moved out in a settlement batch."""

    SOURCE: ClassVar[str] = "soko.payments"
    DETAIL_TYPE: ClassVar[str] = "PayoutSent"

    payout_id: str
    order_id: str
    farmer_id: str
    net_ugx: int
    batch_id: str
    settled_at: str


class FarePayoutScheduled(EventDetail):
    """The transporter of an order's delivered transport is paid its fare (no commission): out of
    the buyer's payment (``from_buyer_ugx``) and/or the farmer's proceeds (``from_farmer_ugx``);
    ``unpaid_ugx`` is what the farmer's net could not cover (see ``soko.payments.fares``)."""

    SOURCE: ClassVar[str] = "soko.payments"
    DETAIL_TYPE: ClassVar[str] = "FarePayoutScheduled"

    payout_id: str
    payment_id: str
    order_id: str
    booking_id: str
    transporter_id: str
    net_ugx: int
    from_buyer_ugx: int
    from_farmer_ugx: int
    unpaid_ugx: int = 0
    due_at: str


class FarePayoutSent(EventDetail):
    """A transporter's payout settled in a settlement batch."""

    SOURCE: ClassVar[str] = "soko.payments"
    DETAIL_TYPE: ClassVar[str] = "FarePayoutSent"

    payout_id: str
    order_id: str
    transporter_id: str
    net_ugx: int
    batch_id: str
    settled_at: str


class RefundRequested(EventDetail):
    SOURCE: ClassVar[str] = "soko.payments"
    DETAIL_TYPE: ClassVar[str] = "RefundRequested"

    payment_id: str
    order_id: str
    buyer_id: str
    amount_ugx: int
    reason: str


class AdminActionTaken(AdminAction):
    """An admin resolved a payment mismatch (``payment.mismatch.accept`` or ``.refund``), published in
    the same transaction as the change it made."""

    SOURCE: ClassVar[str] = "soko.payments"
    DETAIL_TYPE: ClassVar[str] = "AdminActionTaken"


CONTRACTS: tuple[type[EventDetail], ...] = (
    PaymentCompleted,
    PaymentFailed,
    PaymentExpired,
    PaymentReversed,
    PayoutScheduled,
    PayoutSent,
    FarePayoutScheduled,
    FarePayoutSent,
    RefundRequested,
    AdminActionTaken,
)
