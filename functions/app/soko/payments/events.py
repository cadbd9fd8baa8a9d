"""Payment event contracts (source ``soko.payments``). Money is integer UGX.

The ML layer reads buyer payment reliability from ``PaymentCompleted`` and ``PaymentFailed``
(``buyer_id``, ``order_id``, ``attempt``); the marketplace shows the order's payment status from
all of them.
"""

from __future__ import annotations

from typing import ClassVar

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


class PayoutScheduled(EventDetail):
    SOURCE: ClassVar[str] = "soko.payments"
    DETAIL_TYPE: ClassVar[str] = "PayoutScheduled"

    payout_id: str
    payment_id: str
    order_id: str
    farmer_id: str
    gross_ugx: int
    fee_ugx: int
    net_ugx: int
    due_at: str


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


class RefundRequested(EventDetail):
    SOURCE: ClassVar[str] = "soko.payments"
    DETAIL_TYPE: ClassVar[str] = "RefundRequested"

    payment_id: str
    order_id: str
    buyer_id: str
    amount_ugx: int
    reason: str


CONTRACTS: tuple[type[EventDetail], ...] = (
    PaymentCompleted,
    PaymentFailed,
    PaymentReversed,
    PayoutScheduled,
    PayoutSent,
    RefundRequested,
)
