"""Payment events (soko.payments) -> the order's ``payment_status`` ("paid (escrow)", ...).

The market owns orders, so it is the market that writes what a payment means for an order;
idempotent on the event id, and a status never goes back to an older one. Each event is read with
its producer's contract: one that does not fit fails (and after its retries is in the DLQ).

A completed payment also takes the order out of its buyer's open quantity on the listing and sends
the buyer the order's delivery PIN by SMS (soko.market.delivery_pin), if the order is still on its
way (an order that expired or was rejected before the money arrived gets no PIN; payments refunds
it)."""

from __future__ import annotations

from soko.market import delivery_pin, payments_bridge
from soko.market.deps import buyer_contact as _contact
from soko.market.deps import hash_pin as _hash
from soko.market.deps import market
from soko.market.deps import send_sms as _send
from soko.market.ports import Market
from soko.payments import events as pay
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def on_paid(order_id: str, deps: Market) -> None:
    found = deps.dal.get_order(order_id)
    if found is None:
        return
    order = found[0]
    deps.dal.release_open_when_paid(order)
    if order["status"] in ("confirmed", *delivery_pin.PIN_STATUSES):
        delivery_pin.issue(order_id, deps, hash_pin=_hash, contact=_contact, send=_send)


def handle(event: ReceivedEvent) -> None:
    payment = event.parse_any(*payments_bridge.PAYMENT_EVENTS)
    if payment is None:  # another event of soko.payments says nothing about the order
        return
    deps = market()
    payments_bridge.record_payment(payment, deps)
    if isinstance(payment, pay.PaymentCompleted):
        on_paid(payment.order_id, deps)


consumer = EventConsumer("market.payments", handle)
lambda_handler = consumer.lambda_handler
