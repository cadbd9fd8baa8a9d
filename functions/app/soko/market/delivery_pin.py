"""The delivery PIN: when an order is paid, its buyer gets a 6-digit PIN by SMS to hand to the
farmer (or driver) on delivery; the farmer enters it (``POST /orders/{id}/delivery-pin``) and the order
is completed, releasing escrow, as the buyer's receipt would.

Only an argon2id hash of the PIN is stored (identity's secret hashing, as for USSD PINs), never the
PIN, and it is never logged. Tries are counted atomically on the order before the PIN is checked:
after ``delivery_pin_attempts`` (5) tries the PIN is locked (409 ``DELIVERY_PIN_LOCKED``) and the
buyer's receipt or the end of the dispute window remain. The PIN is accepted from ``delivered``
and from ``dispatched`` (the buyer handing it over is their word that the produce arrived).

The order's booked transporter (logistics' ``OrderTransport``, read through ``Market.order_transport``,
which only logistics' handover wires) enters the PIN too, while their booking is picked up: the
transporter is not a party of the order, so the order is read without the party check; the PIN is then
also accepted from a paid ``confirmed`` order (a farmer who hands the produce to a transporter need not
mark it dispatched first)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from soko.market.dal import OrderNotFound
from soko.market.models import PAID, DeliveryPin, Order
from soko.market.orders import _complete, _load_order
from soko.market.ports import Market
from soko.shared import clock
from soko.shared.errors import Conflict, Forbidden
from soko.shared.identity import Caller
from soko.shared.observability import logger


class PinLocked(Conflict):
    code = "DELIVERY_PIN_LOCKED"


class WrongPin(Forbidden):
    code = "WRONG_DELIVERY_PIN"


class NoPin(Conflict):
    code = "NO_DELIVERY_PIN"


PIN_STATUSES = ("dispatched", "delivered")


def new_pin() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def pin_message(pin: str, order: dict[str, Any], language: str) -> str:
    if language == "lg":
        return (
            f"Soko: PIN yo ey'okukakasa nti ofunye '{order['title']}' ye {pin}. Giwe omulimi "
            "ng'ebintu bikutuuse bulungi bokka. Togiwa muntu mulala."
        )
    return (
        f"Soko: your delivery PIN for '{order['title']}' is {pin}. Give it to the farmer only when "
        "the produce has reached you in good order. Never share it otherwise."
    )


def issue(
    order_id: str,
    deps: Market,
    *,
    hash_pin: Callable[[str], str],
    contact: Callable[[str], tuple[str | None, str]],
    send: Callable[[str, str], object],
) -> bool:
    """Give a paid order its delivery PIN: a new PIN's hash stored on the order, then the PIN texted to
    the buyer. False when the order already had its PIN sent, is not on its way, or its buyer has no
    phone. A failed send raises (the payment event is retried: a new PIN replaces the unsent one)."""
    found = deps.dal.get_order(order_id)
    if found is None or found[0].get("pin_sent_at"):
        return False
    order = found[0]
    phone, language = contact(order["buyer_id"])
    if not phone:
        logger.warning("no phone for the delivery PIN", extra={"order_id": order_id})
        return False
    pin = new_pin()
    if not deps.dal.issue_pin(order_id, hash_pin(pin), deps.config.delivery_pin_attempts, clock.now_iso()):
        return False
    send(phone, pin_message(pin, order, language))
    deps.dal.pin_sent(order_id, clock.now_iso())
    logger.info("delivery PIN sent", extra={"order_id": order_id})
    return True


def enter(
    caller: Caller, order_id: str, request: DeliveryPin, deps: Market, *, verify: Callable[[str, str], bool]
) -> Order:
    """The farmer (or the order's booked transporter) enters the buyer's PIN: right -> completed
    (``released_by`` pin)."""
    carrier = _is_carrier(caller, order_id, deps)
    if carrier:
        found = deps.dal.get_order(order_id)
        if found is None:
            raise OrderNotFound("No such order.", details={"id": order_id})
        order, audit = found[0], found[1]
    else:
        order, audit = _load_order(caller, order_id, deps)
        if caller.user_id != order["farmer_id"]:
            raise Forbidden("Only the order's farmer enters the buyer's delivery PIN.")
    from_confirmed = carrier and order["status"] == "confirmed" and order.get("payment_status") == PAID
    if order["status"] not in PIN_STATUSES and not from_confirmed:
        _complete(order, audit, caller.user_id, "pin", deps)  # raises the 409 that says why
    if not order.get("pin_hash"):
        raise NoPin("This order has no delivery PIN (it is sent to the buyer when the order is paid).")
    max_attempts = int(order.get("pin_max_attempts", deps.config.delivery_pin_attempts))
    if not deps.dal.count_pin_attempt(order_id, max_attempts):
        raise PinLocked(
            f"The delivery PIN is locked after {max_attempts} wrong tries; the buyer confirms receipt in "
            "the app or by USSD instead, or escrow is released when the dispute window ends."
        )
    used = int(order.get("pin_attempts", 0)) + 1
    if not verify(str(order["pin_hash"]), request.pin):
        left = max(max_attempts - used, 0)
        raise WrongPin(
            f"That is not the buyer's delivery PIN; {left} {'try' if left == 1 else 'tries'} left.",
            details={"tries_left": left},
        )
    return _complete(order, audit, caller.user_id, "pin", deps, from_confirmed=from_confirmed)


def _is_carrier(caller: Caller, order_id: str, deps: Market) -> bool:
    """Whether the caller is the transporter of the order's booking, with the produce picked up."""
    if deps.order_transport is None:
        return False
    transport = deps.order_transport(order_id)
    return (
        transport is not None
        and transport.transporter_id == caller.user_id
        and transport.status == "picked_up"
    )


MAX_RESENDS = 3  # new PINs a buyer may ask for per order, after the first


class ResendsUsedUp(Conflict):
    code = "DELIVERY_PIN_RESENDS_USED_UP"


class NotResendable(Conflict):
    code = "DELIVERY_PIN_NOT_RESENDABLE"


def _resend_refusal(order: dict[str, Any], max_attempts: int) -> Conflict | None:
    """Why this order's PIN cannot be sent again, or None."""
    if int(order.get("pin_attempts", 0)) >= max_attempts:
        return PinLocked(
            f"The delivery PIN is locked after {max_attempts} wrong tries and cannot be resent; confirm "
            "receipt in the app or by USSD instead."
        )
    if order.get("payment_status") != PAID or order["status"] not in ("confirmed", *PIN_STATUSES):
        return NotResendable(
            f"A delivery PIN is resent only while the order is paid and on its way; this one is "
            f"{order['status']} ({order.get('payment_status', 'unpaid')}).",
            details={"status": order["status"]},
        )
    if not order.get("pin_hash"):
        return NoPin("This order has no delivery PIN yet (it is sent to the buyer when the order is paid).")
    if int(order.get("pin_resends", 0)) >= MAX_RESENDS:
        return ResendsUsedUp(
            f"The delivery PIN was already resent {MAX_RESENDS} times for this order.",
            details={"max_resends": MAX_RESENDS},
        )
    return None


def resend(
    caller: Caller,
    order_id: str,
    deps: Market,
    *,
    hash_pin: Callable[[str], str],
    contact: Callable[[str], tuple[str | None, str]],
    send: Callable[[str, str], object],
) -> DeliveryPinResent:
    """The buyer asks for a new delivery PIN: a new PIN's hash replaces the old one (the tries used
    stay counted) and the PIN is texted to the buyer's verified phone, at most ``MAX_RESENDS`` times
    per order; the resend is counted in the same conditional write that stores the hash."""
    order, _ = _load_order(caller, order_id, deps)
    if caller.user_id != order["buyer_id"]:
        raise Forbidden("Only the order's buyer asks for their delivery PIN again.")
    max_attempts = int(order.get("pin_max_attempts", deps.config.delivery_pin_attempts))
    refusal = _resend_refusal(order, max_attempts)
    if refusal is not None:
        raise refusal
    phone, language = contact(order["buyer_id"])
    if not phone:
        raise NoPhone("Your account has no verified phone to text the delivery PIN to; verify one first.")
    pin = new_pin()
    pin_hash = hash_pin(pin)
    if not deps.dal.resend_pin(order_id, pin_hash, MAX_RESENDS, PAID, clock.now_iso()):
        found = deps.dal.get_order(order_id)  # changed meanwhile: say why, as for the first check
        why = _resend_refusal(found[0], max_attempts) if found is not None else None
        raise why or NotResendable("The order changed meanwhile; try again.")
    try:
        send(phone, pin_message(pin, order, language))
    except Exception:
        # the new hash stays (the buyer never saw either PIN of this try), the resend is given back
        deps.dal.uncount_pin_resend(order_id, pin_hash)
        raise
    logger.info("delivery PIN resent", extra={"order_id": order_id})
    used = int(order.get("pin_resends", 0)) + 1
    return DeliveryPinResent(order_id=order_id, resends_left=max(MAX_RESENDS - used, 0))


class NoPhone(Conflict):
    code = "NO_VERIFIED_PHONE"


class DeliveryPinResent(BaseModel):
    """A new delivery PIN is on its way to the buyer's phone (the PIN itself is never returned)."""

    order_id: str
    resends_left: int = Field(
        ge=0, description=f"new PINs the buyer may still ask for (at most {MAX_RESENDS})"
    )
