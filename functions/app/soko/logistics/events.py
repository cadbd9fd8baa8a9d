"""The logistics domain's event contracts (source ``soko.logistics``): one per step of a booking,
plus arrival at the drop-off and a position update for live tracking.

Every booking event carries the booking's parties, so a consumer (notifications, realtime pushes,
payments) needs no read of this domain to route it."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from soko.shared.audit import AdminAction
from soko.shared.events import EventDetail
from soko.shared.notices import Notice


class BookingEvent(EventDetail):
    """What every booking event says (abstract)."""

    SOURCE: ClassVar[str] = "soko.logistics"

    booking_id: str
    order_id: str
    transporter_id: str
    buyer_id: str
    farmer_id: str
    fare_ugx: int = Field(ge=0)


class TransportBooked(BookingEvent):
    """A buyer or farmer booked a quote: the vehicle's slot is claimed, the transporter is asked."""

    DETAIL_TYPE: ClassVar[str] = "TransportBooked"

    vehicle_id: str
    booked_by: str
    pickup_day: date
    pickup_district: str
    dropoff_district: str
    distance_km: float = Field(ge=0)
    weight_kg: float = Field(gt=0)


class TransportAccepted(BookingEvent):
    DETAIL_TYPE: ClassVar[str] = "TransportAccepted"


class TransportDeclined(BookingEvent):
    DETAIL_TYPE: ClassVar[str] = "TransportDeclined"


class TransportPickedUp(BookingEvent):
    DETAIL_TYPE: ClassVar[str] = "TransportPickedUp"


class TransportDelivered(BookingEvent):
    """Handed over: by the buyer's delivery PIN, or because the order completed otherwise."""

    DETAIL_TYPE: ClassVar[str] = "TransportDelivered"

    by: Literal["pin", "order_completed"]


class TransportCancelled(BookingEvent):
    DETAIL_TYPE: ClassVar[str] = "TransportCancelled"

    cancelled_by: str = Field(description="a user id, or 'system' when the order ended")
    reason: str = Field(max_length=300)


class TransportExpired(BookingEvent):
    """The transporter did not answer in time; the slot is free again."""

    DETAIL_TYPE: ClassVar[str] = "TransportExpired"


class TransportArrived(BookingEvent):
    """The transporter came within the geofence of the drop-off (published once per booking)."""

    DETAIL_TYPE: ClassVar[str] = "TransportArrived"

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: str = Field(description="the fix's time (UTC, ISO 8601)")


class TransportPositionUpdated(BookingEvent):
    """The latest position of a booking after a batch of fixes (for live views; one per batch)."""

    DETAIL_TYPE: ClassVar[str] = "TransportPositionUpdated"

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: str
    speed_kmh: float | None = Field(default=None, ge=0)
    eta_minutes: int | None = Field(default=None, ge=0)
    remaining_km: float | None = Field(default=None, ge=0)


class TransportNoticeIssued(Notice):
    """Something a party of a booking must be told (asked to carry, accepted, arrived...), in both
    languages: the notifications pipeline delivers it (SMS to a basic phone)."""

    SOURCE: ClassVar[str] = "soko.logistics"
    DETAIL_TYPE: ClassVar[str] = "TransportNoticeIssued"


class AdminActionTaken(AdminAction):
    """An admin acted on a booking (``booking.cancel``), with their reason: the admin domain files it
    in the audit log."""

    SOURCE: ClassVar[str] = "soko.logistics"
    DETAIL_TYPE: ClassVar[str] = "AdminActionTaken"
