"""The marketplace's side of payments (soko.payments): the order's ``payment_status`` follows the
payment events. Payments reads orders through soko.market.public and never writes market items."""

from __future__ import annotations

from soko.market.ports import Market
from soko.payments import events as pay
from soko.shared import clock

type PaymentEvent = (
    pay.PaymentFailed
    | pay.PaymentCompleted
    | pay.PayoutScheduled
    | pay.RefundRequested
    | pay.PaymentReversed
    | pay.PayoutSent
)

# payment event -> (payment_status shown on the order, rank: a status never goes back to a lower one)
PAYMENT_STATUSES: dict[type[PaymentEvent], tuple[str, int]] = {
    pay.PaymentFailed: ("payment failed", 1),
    pay.PaymentCompleted: ("paid (escrow)", 2),
    pay.PayoutScheduled: ("payout scheduled", 3),
    pay.RefundRequested: ("refunded", 3),
    pay.PaymentReversed: ("reversed", 3),
    pay.PayoutSent: ("paid out to farmer", 4),
}
PAYMENT_EVENTS = tuple(PAYMENT_STATUSES)


def record_payment(event: PaymentEvent, deps: Market) -> bool:
    """Show a payment event on its order; False when it is not newer than what the order shows."""
    status, rank = PAYMENT_STATUSES[type(event)]
    return deps.dal.set_payment_status(event.order_id, status, rank, clock.now_iso())
