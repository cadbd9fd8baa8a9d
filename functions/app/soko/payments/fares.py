"""Transport fares in payments: what the buyer pays for transport, and what the escrow does with it.

The rule (issue 17; logistics owns bookings, payments reads an order's transport through
``soko.logistics.public.LogisticsReads.order_transport``, a strongly consistent read):

- **Paying.** When the buyer starts a payment and the order's transport is active (``requested``,
  ``accepted`` or ``picked_up``), the amount asked is the order's total PLUS the booking's fare; the
  payment records ``fare_ugx`` and ``transport_booking_id`` (the receipt shows the produce and the
  transport as separate lines). Otherwise the amount is the order's total and ``fare_ugx`` is 0.
- **Completing.** When the order completes (``OrderCompleted``), the transport is read again:
  - ``delivered``: the transporter earns the delivered booking's fare, out of the buyer's fare first
    and the rest out of the farmer's proceeds (a booking made after the buyer paid, or dearer than
    the one paid for). The farmer's net is gross - commission - that part, never below zero: a fare
    the net cannot cover is paid up to the net and the rest is recorded as ``fare_unpaid_ugx`` on
    the transporter's payout for the parties to settle (Soko never pays a fare out of its own
    fees). The buyer's fare not needed goes back to the buyer (one partial refund).
  - still active (the order completed before the transporter marked the delivery, e.g. the buyer
    confirmed receipt first): the buyer's fare, and the farmer's part of the fare, stay in the
    escrow (``fare_state`` ``held``; the farmer's produce is paid out now) until the booking ends:
    logistics' ``TransportDelivered`` pays the transporter; ``TransportCancelled``,
    ``TransportDeclined`` or ``TransportExpired`` refunds the buyer's fare and gives the farmer's part
    back. Payments' order-events consumer takes those events; each also touches a still-open
    payment (conditioned on its version), so a completion racing the delivery re-reads the
    transport instead of holding a fare that is already delivered.
  - no transport, or one that ended without delivering (cancelled, declined, expired): the fare the
    buyer paid goes back to the buyer (a partial refund through the refund path).
- **Ending without completing.** A cancelled, rejected or expired paid order refunds everything
  paid, the fare included (unchanged: the refund is the payment's amount).
- **Disputes.** The admin's release, refund or split applies to the produce (the dispute's total is
  the order's); the fare follows the transport as at completion: a delivered transporter keeps the
  fare, otherwise it goes back to the buyer with the buyer's part (an active booking counts as not
  delivered when the dispute is resolved: the admin has decided the case; one refund per payment).
- **Commission** is on the produce only. A transporter's payout goes through the farmer's path: a
  ``PAYOUT#`` record (``payee`` ``transporter``), settled by the same batch job, ledger
  ``transporter:<id>`` -> ``settled:<id>``; events ``FarePayoutScheduled`` and ``FarePayoutSent``.
"""

from __future__ import annotations

from typing import Literal

from soko.payments.ports import Payments, TransportView

ACTIVE = frozenset({"requested", "accepted", "picked_up"})
DELIVERED = "delivered"


def order_transport(order_id: str, deps: Payments) -> TransportView | None:
    return deps.transport(order_id) if deps.transport is not None else None


def fare_to_pay(order_id: str, deps: Payments) -> tuple[int, str]:
    """(fare, booking id) the buyer pays with the order now: an active booking's, else (0, "")."""
    transport = order_transport(order_id, deps)
    if transport is None or transport.status not in ACTIVE:
        return 0, ""
    return int(transport.fare_ugx), transport.booking_id


def state(transport: TransportView | None) -> Literal["delivered", "on_the_road", "none"]:
    if transport is None:
        return "none"
    if transport.status == DELIVERED:
        return "delivered"
    return "on_the_road" if transport.status in ACTIVE else "none"
