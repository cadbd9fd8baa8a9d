"""The logistics domain's shared models: what a booking is, its states, and a position fix.

Each part of the domain (vehicles and quotes, bookings and their steps, tracking) adds its own
request and response models in its modules; these are the ones several parts and other domains
(payments, through :mod:`soko.logistics.public`) agree on."""

from __future__ import annotations

from typing import Literal

BookingStatus = Literal["requested", "accepted", "picked_up", "delivered", "declined", "cancelled", "expired"]

# A booking in one of these holds its vehicle's slot and is the order's transport.
ACTIVE: tuple[BookingStatus, ...] = ("requested", "accepted", "picked_up")
ENDED: tuple[BookingStatus, ...] = ("delivered", "declined", "cancelled", "expired")

VehicleType = Literal["boda_boda", "bicycle", "pickup", "van", "lorry"]
