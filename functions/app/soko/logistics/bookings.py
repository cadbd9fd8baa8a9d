"""Booking a quote, and reading bookings.

A booking claims its vehicle's slot of the pickup day and becomes the order's transport in one
transaction (:meth:`soko.logistics.dal.bookings.BookingsDal.create`): of two bookings of one slot,
or two of one order, exactly one succeeds, however close together they come. It starts
``requested``; the transporter answers by ``answer_by`` (the steps set the timer from
``TransportBooked``). The transporter is told by a ``TransportNoticeIssued`` in the same
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from soko.logistics.core_models import BookingCreate, BookingPage
from soko.logistics.events import TransportBooked, TransportNoticeIssued
from soko.logistics.models import Booking, BookingStatus, BookingStep, Fix
from soko.logistics.quotes import Orders, party_order, require_confirmed
from soko.shared import clock, dynamo, ids
from soko.shared.errors import Forbidden, NotFound, SokoError, Unprocessable
from soko.shared.events import EventDetail
from soko.shared.identity import Caller
from soko.shared.notices import Texts

SLOT_KEPT_DAYS = 7  # a claimed slot's item outlives its day by a week, then TTL removes it


class BookingStore(Protocol):
    def quote(self, quote_id: str) -> dict[str, Any] | None: ...
    def create(self, booking: dict[str, Any], slot_expires_at: int, events: list[EventDetail]) -> None: ...
    def get(self, booking_id: str) -> dict[str, Any] | None: ...
    def track(self, booking_id: str) -> list[dict[str, Any]]: ...
    def by_transporter(
        self, transporter_id: str, status: str | None, limit: int, cursor_token: str | None
    ) -> dynamo.Page: ...
    def by_order(
        self, order_id: str, status: str | None, party: str | None, limit: int, cursor_token: str | None
    ) -> dynamo.Page: ...
    def by_party(
        self, user_id: str, status: str | None, limit: int, cursor_token: str | None
    ) -> dynamo.Page: ...


@dataclass(frozen=True)
class BookingDeps:
    orders: Orders
    store: BookingStore
    answer_minutes: int


class QuoteNotFound(NotFound):
    code = "QUOTE_NOT_FOUND"


class QuoteExpired(SokoError):
    status = 410
    code = "QUOTE_EXPIRED"


class BookingNotFound(NotFound):
    code = "BOOKING_NOT_FOUND"


def _kg(weight: float) -> str:
    return f"{weight:.3f}".rstrip("0").rstrip(".")


def _notice(booking: Booking) -> TransportNoticeIssued:
    """The transporter's "a new job" notice (its SMS is one part in each language, at most
    :data:`SMS_LIMIT` characters even with the longest districts, weight and fare: a unit test)."""
    answer_by = clock.eat_text(booking.answer_by).split(", ")[-1].removesuffix(" EAT")
    day_en = f"{booking.pickup_day:%a} {booking.pickup_day.day} {booking.pickup_day:%b}"
    day_lg = booking.pickup_day.strftime("%d/%m")
    fields = {
        "kg": _kg(booking.weight_kg),
        "a": booking.pickup.district,
        "b": booking.dropoff.district,
        "fare": f"{booking.fare_ugx:,}",
        "by": answer_by,
    }
    sms = Texts(
        en="Soko: new job. Carry {kg}kg from {a} to {b} on {day}, UGX {fare}. Accept by {by} EAT in the app "
        "or USSD.".format(**fields, day=day_en),
        lg="Soko: omulimu omuggya. Twala {kg}kg okuva e {a} okutuuka e {b} nga {day}, UGX {fare}. Kkiriza "
        "nga {by} tezinnatuuka (app/USSD).".format(**fields, day=day_lg),
    )
    return TransportNoticeIssued(
        notice_id=f"transport-booked-{booking.id}",
        user_id=booking.transporter_id,
        category="orders",
        title=Texts(en="A new transport job", lg="Omulimu omuggya ogw'okutwala"),
        body=Texts(
            en="Carry {kg} kg from {a} to {b} on {day} for UGX {fare}. Accept or decline by {by} EAT, or it "
            "goes to someone else.".format(**fields, day=day_en),
            lg="Twala kg {kg} okuva e {a} okutuuka e {b} nga {day} ku UGX {fare}. Kkiriza oba gaana nga "
            "{by} tezinnatuuka, oba gugenda eri omulala.".format(**fields, day=day_lg),
        ),
        sms=sms,
        data={"booking_id": booking.id, "order_id": booking.order_id},
    )


def _slot_expires_at(day: date) -> int:
    end_of_day = datetime(day.year, day.month, day.day, tzinfo=clock.EAT) + timedelta(days=1)
    return int((end_of_day + timedelta(days=SLOT_KEPT_DAYS)).astimezone(UTC).timestamp())


def book(caller: Caller, request: BookingCreate, deps: BookingDeps) -> Booking:
    quote = deps.store.quote(request.quote_id)
    if quote is None:
        raise QuoteNotFound("No quote has this id (quotes are kept for 30 minutes).")
    try:
        order = party_order(caller, str(quote["order_id"]), deps.orders)
    except NotFound:
        raise QuoteNotFound("No quote has this id (quotes are kept for 30 minutes).") from None
    if int(quote["expires_at"]) <= clock.epoch():
        raise QuoteExpired("This quote has expired; ask for quotes again.")
    require_confirmed(order)
    now = clock.now()
    created = clock.iso(now)
    booking = Booking(
        id=ids.ulid(),
        order_id=order.id,
        quote_id=str(quote["id"]),
        vehicle_id=str(quote["vehicle_id"]),
        vehicle_type=quote["vehicle_type"],
        plate=str(quote["plate"]),
        transporter_id=str(quote["transporter_id"]),
        transporter_name=str(quote["transporter_name"]),
        buyer_id=order.buyer_id,
        farmer_id=order.farmer_id,
        booked_by=caller.user_id,
        status="requested",
        fare_ugx=int(quote["fare_ugx"]),
        distance_km=float(quote["distance_km"]),
        weight_kg=float(quote["weight_kg"]),
        pickup_day=date.fromisoformat(str(quote["pickup_day"])),
        pickup=quote["pickup"],
        dropoff=quote["dropoff"],
        answer_by=clock.iso(now + timedelta(minutes=deps.answer_minutes)),
        created_at=created,
        updated_at=created,
        version=1,
        audit=[BookingStep(at=created, by=caller.user_id, status="requested")],
    )
    booked = TransportBooked(
        booking_id=booking.id,
        order_id=booking.order_id,
        transporter_id=booking.transporter_id,
        buyer_id=booking.buyer_id,
        farmer_id=booking.farmer_id,
        fare_ugx=booking.fare_ugx,
        vehicle_id=booking.vehicle_id,
        booked_by=booking.booked_by,
        pickup_day=booking.pickup_day,
        pickup_district=booking.pickup.district,
        dropoff_district=booking.dropoff.district,
        distance_km=booking.distance_km,
        weight_kg=booking.weight_kg,
    )
    deps.store.create(
        booking.model_dump(mode="json", exclude={"track"}),
        _slot_expires_at(booking.pickup_day),
        [booked, _notice(booking)],
    )
    return booking


# ---------------------------------------------------------------------------- reads
def _is_party(caller: Caller, booking: dict[str, Any]) -> bool:
    return caller.user_id in (booking["buyer_id"], booking["farmer_id"], booking["transporter_id"])


def get(caller: Caller, booking_id: str, store: BookingStore) -> Booking:
    """A booking with its track, for its parties and admins (404 to anyone else)."""
    found = store.get(booking_id)
    if found is None or not (caller.is_admin or _is_party(caller, found)):
        raise BookingNotFound("No booking of yours has this id.")
    booking = Booking.model_validate(found)
    return booking.model_copy(update={"track": [Fix.model_validate(f) for f in store.track(booking_id)]})


def mine(
    caller: Caller,
    *,
    status: BookingStatus | None,
    order_id: str | None,
    limit: int,
    cursor: str | None,
    store: BookingStore,
) -> BookingPage:
    """The caller's bookings, newest first: a transporter's jobs, a buyer's or farmer's bookings;
    ``order_id``: that order's bookings the caller is a party of (an admin: all of them)."""
    if order_id is not None:
        party = None if caller.is_admin else caller.user_id
        page = store.by_order(order_id, status, party, limit, cursor)
    elif caller.is_admin:
        raise Unprocessable(
            "An admin reads an order's bookings: give order_id.",
            code="ORDER_ID_REQUIRED",
            details={"field": "order_id"},
        )
    elif caller.role == "transporter":
        page = store.by_transporter(caller.user_id, status, limit, cursor)
    elif caller.role in ("buyer", "farmer", "both"):
        page = store.by_party(caller.user_id, status, limit, cursor)
    else:  # pragma: no cover - every role is named above
        raise Forbidden("Your account's role has no bookings.")
    return BookingPage(items=[Booking.model_validate(i) for i in page.items], next_cursor=page.next_cursor)
