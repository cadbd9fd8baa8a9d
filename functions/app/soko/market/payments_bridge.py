"""The marketplace's side of payments (soko.payments): the order as payments reads it, and the
order's ``payment_status`` following the payment events. Payments never writes market items."""

from __future__ import annotations

from soko.market.models import Order
from soko.market.orders import order_view
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


def order_for_payment(order_id: str, deps: Market) -> Order | None:
    """The order as payments needs it (no caller check: payments checks who pays)."""
    found = deps.dal.get_order(order_id)
    return order_view(found[0]) if found else None


def record_payment(event: PaymentEvent, deps: Market) -> bool:
    """Show a payment event on its order; False when it is not newer than what the order shows."""
    status, rank = PAYMENT_STATUSES[type(event)]
    return deps.dal.set_payment_status(event.order_id, status, rank, clock.now_iso())
