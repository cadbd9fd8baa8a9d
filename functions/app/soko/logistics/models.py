"""The logistics domain's shared models: what a booking is, its states, and a position fix.

Each part of the domain (vehicles and quotes, bookings and their steps, tracking) adds its own
request and response models in its modules; these are the ones several parts and other domains
(payments, through :mod:`soko.logistics.public`) agree on."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

BookingStatus = Literal["requested", "accepted", "picked_up", "delivered", "declined", "cancelled", "expired"]

# A booking in one of these holds its vehicle's slot and is the order's transport.
ACTIVE: tuple[BookingStatus, ...] = ("requested", "accepted", "picked_up")
ENDED: tuple[BookingStatus, ...] = ("delivered", "declined", "cancelled", "expired")

VehicleType = Literal["boda_boda", "bicycle", "pickup", "van", "lorry"]


class Place(BaseModel):
    """A pickup or drop-off point: the district, its coordinates, and what a driver reads."""

    district: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    address: str | None = Field(default=None, max_length=200)


class Fix(BaseModel):
    """A stored position (the latest one, or a point of the track)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: str = Field(description="the fix's time (UTC, ISO 8601)")


class BookingStep(BaseModel):
    """One entry of a booking's audit trail."""

    at: str
    by: str = Field(description="the user who moved it, or 'system' (timer, the order's end)")
    status: BookingStatus = Field(description="the status it moved to")
    note: str | None = None


class Booking(BaseModel):
    """A booking as stored (``BOOKING#<id>`` / ``BOOKING``, every attribute below) and as the API
    shows it to its parties and admins (``track`` only in ``GET /transport/bookings/{id}``)."""

    id: str
    order_id: str
    quote_id: str
    vehicle_id: str
    vehicle_type: VehicleType
    plate: str
    transporter_id: str
    transporter_name: str
    buyer_id: str
    farmer_id: str
    booked_by: str
    status: BookingStatus
    fare_ugx: int = Field(ge=0)
    distance_km: float = Field(ge=0)
    weight_kg: float = Field(gt=0)
    pickup_day: date
    pickup: Place
    dropoff: Place
    answer_by: str = Field(description="a requested booking not accepted by then expires (UTC)")
    created_at: str
    updated_at: str
    version: int = Field(ge=1, description="every change is conditioned on it")
    cancelled_by: str | None = None
    reason: str | None = None
    position: Fix | None = None
    speed_kmh: float | None = Field(default=None, ge=0)
    eta_minutes: int | None = Field(default=None, ge=0)
    remaining_km: float | None = Field(default=None, ge=0)
    arrived_at: str | None = None
    audit: list[BookingStep] = Field(default_factory=list)
    track: list[Fix] | None = Field(
        default=None, description="GET /transport/bookings/{id} only, oldest first"
    )
