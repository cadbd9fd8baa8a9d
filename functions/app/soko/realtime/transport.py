"""Live transport updates (no boto3 here): which parties of a booking hear of an event, and what
they receive. A step (booked, accepted, picked up, ...) goes to the buyer, the farmer and the
transporter, so whoever has the booking open refreshes it; a position update and the arrival go to
the buyer and the farmer (the transporter is the one who sent the fix).

The message is ``{"type": "transport", "event": <detail-type>, "booking_id", "order_id", ...}``; a
position carries ``lat``, ``lon``, ``at``, ``speed_kmh``, ``eta_minutes``, ``remaining_km``. Pushes
are best effort and may arrive late or out of order: a client keeps the position with the latest
``at`` and re-reads the booking (``GET /transport/bookings/{id}``) on a step."""

from __future__ import annotations

from typing import Any

from soko.logistics.events import (
    BookingEvent,
    TransportAccepted,
    TransportArrived,
    TransportBooked,
    TransportCancelled,
    TransportDeclined,
    TransportDelivered,
    TransportExpired,
    TransportPickedUp,
    TransportPositionUpdated,
)
from soko.realtime.push import Connections, push

STEPS: tuple[type[BookingEvent], ...] = (
    TransportBooked,
    TransportAccepted,
    TransportDeclined,
    TransportPickedUp,
    TransportDelivered,
    TransportCancelled,
    TransportExpired,
)
TRACKING: tuple[type[BookingEvent], ...] = (TransportArrived, TransportPositionUpdated)
CONTRACTS: tuple[type[BookingEvent], ...] = (*STEPS, *TRACKING)

_PARTY_FIELDS = {"transporter_id", "buyer_id", "farmer_id", "fare_ugx", "schema_version"}


def recipients(event: BookingEvent) -> list[str]:
    parties = [event.buyer_id, event.farmer_id]
    if not isinstance(event, TRACKING):
        parties.append(event.transporter_id)
    return list(dict.fromkeys(parties))  # a user who is two parties hears it once


def message(event: BookingEvent) -> dict[str, Any]:
    """What a party receives: the event's facts, without the other parties' ids."""
    body = event.model_dump(mode="json", exclude=_PARTY_FIELDS)
    return {"type": "transport", "event": event.DETAIL_TYPE, **body}


def push_event(event: BookingEvent, connections: Connections) -> int:
    """Push ``event`` to its recipients' open connections; how many connections received it."""
    payload = message(event)
    return sum(push(user_id, payload, connections) for user_id in recipients(event))
