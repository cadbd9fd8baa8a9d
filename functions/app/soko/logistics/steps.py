"""A booking's steps: who may move it where, and what each move writes and tells.

``requested -> accepted -> picked_up -> delivered``, or ``declined`` (the transporter, from
requested), ``cancelled`` (the order's buyer or farmer while requested or accepted; the transporter
while accepted, before pickup; an admin while active, with a reason; ``system`` when the order
ends), ``expired`` (``system``: the transporter did not answer by ``answer_by``). Every move is one
transaction (:meth:`soko.logistics.dal.steps.StepsDal.step`): the booking conditioned on its status
and version with its audit entry, the order's transport item's status, the vehicle's day slot freed
when the booking ends undelivered, the step's event and the parties' notices in the outbox.

The handover (:func:`deliver`) runs the market's delivery-PIN rule first (the port ``handover``):
a right PIN completes the order (escrow released as for the farmer's PIN), then the booking is
delivered (``by: pin``); a wrong PIN is the market's 403 with the tries left, and its lock holds.

These functions are the use cases every channel calls (the HTTP API, the USSD transporter menu):
keep their names and signatures."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from soko.logistics import events as ev
from soko.logistics.models import ACTIVE, Booking, BookingStep
from soko.logistics.notices import notices
from soko.shared import clock
from soko.shared.dynamo import TransactionConflict
from soko.shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from soko.shared.events import EventDetail
from soko.shared.identity import Caller

SYSTEM = "system"
FREES_SLOT = ("declined", "cancelled", "expired")
PIN = re.compile(r"^[0-9]{6}$")


# ---------------------------------------------------------------------------- requests
class BookingCancel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str | None, Field(default=None, min_length=1, max_length=300)] = None


class BookingDeliver(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    pin: Annotated[str, Field(pattern=r"^[0-9]{6}$", description="the 6 digits the buyer received by SMS")]


# ---------------------------------------------------------------------------- errors
class BookingNotFound(NotFound):
    code = "BOOKING_NOT_FOUND"


class BookingNotRequested(Conflict):
    code = "BOOKING_NOT_REQUESTED"


class BookingNotAccepted(Conflict):
    code = "BOOKING_NOT_ACCEPTED"


class BookingNotPickedUp(Conflict):
    code = "BOOKING_NOT_PICKED_UP"


class BookingNotActive(Conflict):
    code = "BOOKING_NOT_ACTIVE"


class BookingAlreadyPickedUp(Conflict):
    code = "BOOKING_ALREADY_PICKED_UP"


class BookingExpired(Conflict):
    code = "BOOKING_EXPIRED"


class ReasonRequired(Unprocessable):
    code = "REASON_REQUIRED"


class InvalidPin(Unprocessable):
    code = "INVALID_DELIVERY_PIN"


# ---------------------------------------------------------------------------- ports
class StepStore(Protocol):
    def booking(self, booking_id: str) -> dict[str, Any] | None: ...
    def order_transport(self, order_id: str) -> dict[str, Any] | None: ...
    def step(
        self,
        booking: dict[str, Any],
        *,
        to_status: str,
        entry: dict[str, Any],
        now: str,
        sets: dict[str, Any],
        free_slot: bool,
        events: Sequence[EventDetail],
    ) -> bool: ...


class Handover(Protocol):
    """The market's delivery-PIN rule for the order's transporter: completes the order, or raises
    (wrong PIN 403 with the tries left, locked 409, not completable 409)."""

    def __call__(self, caller: Caller, order_id: str, pin: str) -> object: ...


@dataclass
class StepDeps:
    store: StepStore
    handover: Handover | None = None  # only the handover (deliver) is given one


# ---------------------------------------------------------------------------- the moves
def _load(caller: Caller, booking_id: str, deps: StepDeps) -> dict[str, Any]:
    """The booking, for one of its parties or an admin; anyone else learns nothing (404)."""
    booking = deps.store.booking(booking_id)
    if booking is None or not (
        caller.is_admin
        or caller.user_id in (booking["transporter_id"], booking["buyer_id"], booking["farmer_id"])
    ):
        raise BookingNotFound("No such booking.", details={"id": booking_id})
    return booking


def _state_error(booking: dict[str, Any], to: str) -> Conflict:  # noqa: PLR0911  (one answer per case)
    """The 409 that says why ``booking`` cannot move to ``to`` from its current status."""
    status = booking["status"]
    details = {"status": status, "requested": to}
    if status == "expired":
        return BookingExpired(
            "The transporter did not answer in time: this booking expired; book again.", details=details
        )
    if status not in ACTIVE:
        return BookingNotActive(f"This booking is {status}: it cannot change any more.", details=details)
    if to in ("accepted", "declined"):
        return BookingNotRequested(
            f"Only a requested booking is {to}; this one is {status}.", details=details
        )
    if to == "picked_up":
        return BookingNotAccepted(
            f"Only an accepted booking is picked up; this one is {status}.", details=details
        )
    if to == "delivered":
        return BookingNotPickedUp(
            f"Only a picked-up booking is delivered; this one is {status}.", details=details
        )
    if status == "picked_up":
        return BookingAlreadyPickedUp(
            "The produce is already picked up: this booking can no longer be cancelled.", details=details
        )
    return BookingNotAccepted(
        "A transporter cancels only an accepted booking; decline a requested one instead.", details=details
    )


def _event(booking: dict[str, Any], to: str, sets: dict[str, Any], by: str) -> EventDetail:
    common = {
        "booking_id": booking["id"],
        "order_id": booking["order_id"],
        "transporter_id": booking["transporter_id"],
        "buyer_id": booking["buyer_id"],
        "farmer_id": booking["farmer_id"],
        "fare_ugx": int(booking["fare_ugx"]),
    }
    if to == "accepted":
        return ev.TransportAccepted(**common)
    if to == "declined":
        return ev.TransportDeclined(**common)
    if to == "picked_up":
        return ev.TransportPickedUp(**common)
    if to == "delivered":
        return ev.TransportDelivered(**common, by="pin" if by != SYSTEM else "order_completed")
    if to == "cancelled":
        return ev.TransportCancelled(
            **common, cancelled_by=sets["cancelled_by"], reason=sets.get("reason") or ""
        )
    return ev.TransportExpired(**common)


def _move(
    booking: dict[str, Any],
    to: str,
    by: str,
    deps: StepDeps,
    *,
    note: str | None = None,
    sets: dict[str, Any] | None = None,
    also: Sequence[EventDetail] = (),
) -> Booking:
    """Write one step of ``booking`` (see the module's docstring); a 409 saying why when another
    step won meanwhile."""
    now = clock.now_iso()
    sets = {k: v for k, v in (sets or {}).items() if v is not None}
    entry = BookingStep(at=now, by=by, status=to, note=note).model_dump(mode="json", exclude_none=True)
    events = [_event(booking, to, sets, by), *notices(to, booking, by), *also]
    try:
        done = deps.store.step(
            booking, to_status=to, entry=entry, now=now, sets=sets, free_slot=to in FREES_SLOT, events=events
        )
    except TransactionConflict:
        done = False
    if not done:
        raise _lost(booking, to)
    moved = {
        **booking,
        **sets,
        "status": to,
        "updated_at": now,
        "version": int(booking["version"]) + 1,
        "audit": [*booking.get("audit", []), entry],
    }
    return Booking.model_validate(moved)


class _Lost(Conflict):
    code = "CONCURRENT_UPDATE"


def _lost(booking: dict[str, Any], to: str) -> Conflict:
    return _Lost(
        "Someone changed this booking at the same moment; look at it again.",
        details={"status": booking["status"], "requested": to},
    )


def _step(
    caller: Caller, booking_id: str, to: str, allowed_from: tuple[str, ...], deps: StepDeps
) -> tuple[dict[str, Any], Booking]:
    """A transporter's step: the booking's own transporter only, from ``allowed_from``."""
    booking = _load(caller, booking_id, deps)
    if caller.user_id != booking["transporter_id"]:
        raise Forbidden(f"Only the booking's transporter marks it {to.replace('_', ' ')}.")
    if booking["status"] not in allowed_from:
        raise _state_error(booking, to)
    return booking, _try(lambda: _move(booking, to, caller.user_id, deps), booking_id, to, deps)


def _try(write: Any, booking_id: str, to: str, deps: StepDeps) -> Booking:
    """Run a step's write; when another step won, the 409 of the state it left (not a bare conflict)."""
    try:
        return write()  # type: ignore[no-any-return]
    except _Lost:
        now = deps.store.booking(booking_id)
        if now is not None:
            raise _state_error(now, to) from None
        raise


def accept(caller: Caller, booking_id: str, deps: StepDeps) -> Booking:
    """The transporter takes the job (before ``answer_by``)."""
    booking = _load(caller, booking_id, deps)
    if caller.user_id != booking["transporter_id"]:
        raise Forbidden("Only the booking's transporter accepts it.")
    if booking["status"] != "requested":
        raise _state_error(booking, "accepted")
    if clock.now_iso() >= str(booking["answer_by"]):
        raise BookingExpired(
            "The time to answer this booking has passed: it expires; the buyer or farmer books again.",
            details={"status": booking["status"], "requested": "accepted", "answer_by": booking["answer_by"]},
        )
    return _try(lambda: _move(booking, "accepted", caller.user_id, deps), booking_id, "accepted", deps)


def decline(caller: Caller, booking_id: str, deps: StepDeps) -> Booking:
    """The transporter turns the job down: the vehicle's day is free again."""
    return _step(caller, booking_id, "declined", ("requested",), deps)[1]


def pickup(caller: Caller, booking_id: str, deps: StepDeps) -> Booking:
    """The transporter has the produce on board."""
    return _step(caller, booking_id, "picked_up", ("accepted",), deps)[1]


def cancel(caller: Caller, booking_id: str, reason: str | None, deps: StepDeps) -> Booking:
    """The order's buyer or farmer while requested or accepted; the transporter while accepted
    (before pickup); an admin while active, with a reason (and the audit log's event)."""
    booking = _load(caller, booking_id, deps)
    status = booking["status"]
    reason = (reason or "").strip() or None
    also: list[EventDetail] = []
    if caller.user_id in (booking["buyer_id"], booking["farmer_id"]):
        allowed: tuple[str, ...] = ("requested", "accepted")
    elif caller.user_id == booking["transporter_id"]:
        allowed = ("accepted",)
    elif caller.is_admin:
        allowed = ACTIVE
        if reason is None:
            raise ReasonRequired("An admin cancels a booking with a reason.", details={"field": "reason"})
        also.append(
            ev.AdminActionTaken(
                admin_id=caller.user_id,
                action="booking.cancel",
                target_type="booking",
                target_id=booking_id,
                reason=reason,
                at=clock.now_iso(),
                details={"order_id": booking["order_id"], "status": status},
            )
        )
    else:  # pragma: no cover - _load lets only parties and admins through
        raise BookingNotFound("No such booking.", details={"id": booking_id})
    if status not in allowed:
        raise _state_error(booking, "cancelled")
    sets = {"cancelled_by": caller.user_id, "reason": reason}
    return _try(
        lambda: _move(booking, "cancelled", caller.user_id, deps, note=reason, sets=sets, also=also),
        booking_id,
        "cancelled",
        deps,
    )


def deliver(caller: Caller, booking_id: str, pin: str, deps: StepDeps) -> Booking:
    """The transporter hands the produce over with the buyer's delivery PIN: the market's PIN rule
    completes the order (escrow released), then the booking is delivered (``by: pin``)."""
    booking = _load(caller, booking_id, deps)
    if caller.user_id != booking["transporter_id"]:
        raise Forbidden("Only the booking's transporter hands the produce over with the buyer's PIN.")
    if booking["status"] != "picked_up":
        raise _state_error(booking, "delivered")
    if not PIN.match(pin or ""):
        raise InvalidPin("The buyer's delivery PIN is 6 digits.", details={"field": "pin"})
    if deps.handover is None:
        raise RuntimeError("deliver needs the market's handover")
    deps.handover(caller, booking["order_id"], pin)
    try:
        return _move(booking, "delivered", caller.user_id, deps, note="pin")
    except _Lost:
        # the order is complete: the order's end consumer delivers the booking if a step raced this
        now = deps.store.booking(booking_id)
        if now is not None and now["status"] == "delivered":
            return Booking.model_validate(now)
        raise


# ---------------------------------------------------------------------------- moves by the system
def system_move(
    booking_id: str, to: str, deps: StepDeps, *, allowed_from: tuple[str, ...], reason: str | None = None
) -> Booking | None:
    """A move nobody asked for over the API (the answer timer, the order's end): None when the
    booking is not (any more) in ``allowed_from``, so a late or repeated trigger does nothing."""
    booking = deps.store.booking(booking_id)
    if booking is None or booking["status"] not in allowed_from:
        return None
    sets = {"cancelled_by": SYSTEM, "reason": reason} if to == "cancelled" else {}
    note = reason if to == "cancelled" else ("order_completed" if to == "delivered" else None)
    try:
        return _move(booking, to, SYSTEM, deps, note=note, sets=sets)
    except _Lost:
        now = deps.store.booking(booking_id)
        if now is not None and now["status"] not in allowed_from:
            return None
        raise
