"""The logistics table (the domain's own, ``LogisticsTable``): its layout, and the modules that
touch it (``vehicles``, ``bookings``, ``positions``). Only this package touches DynamoDB.

| item | key (pk / sk) | indexes | TTL (``expires_at``) |
|---|---|---|---|
| a vehicle | ``VEHICLE#<id>`` / ``VEHICLE`` | gsi1 ``OWNER#<transporter>`` / ``VEHICLE#<created>#<id>`` | - |
| a district a vehicle serves | ``DISTRICT#<district>`` / ``VEHICLE#<id>`` | - | - |
| a vehicle's claimed slot (a day) | ``VEHICLE#<id>`` / ``SLOT#<YYYY-MM-DD>`` | - | a week after the day |
| a registered plate (one vehicle per plate) | ``PLATE#<plate>`` / ``PLATE`` | - | - |
| a quote | ``QUOTE#<id>`` / ``QUOTE`` | - | when it lapses |
| a booking | ``BOOKING#<id>`` / ``BOOKING`` | gsi1, gsi2 (below) | - |
| a party's booking (buyer, farmer) | ``PARTY#<user>`` / ``BOOKING#<created>#<id>`` | - | - |
| an order's transport (its active booking) | ``ORDER#<order>`` / ``TRANSPORT`` | - | - |
| an event to publish (the outbox, relayed from the stream) | ``OUTBOX#<event id>`` / ``EVENT`` | - | a day |
| a GPS fix | ``BOOKING#<id>`` / ``POS#<fix time>#<n>`` | - | ``PositionRetentionDays`` after the fix |

A booking's indexes: gsi1 ``TRANSPORTER#<id>`` / ``<created>#<id>`` (a transporter's jobs), gsi2
``ORDER#<order>`` / ``<created>#<id>`` (an order's bookings, ended ones too).

Invariants held by conditions, never read-then-write: a slot is claimed with
``attribute_not_exists`` in the same transaction as the booking, its party items and the order's
transport item (an order has at most one active booking); every step of a booking is an update
conditioned on its current status and version, and ending a booking releases its slot and the
order's transport item in the same transaction.
"""

from __future__ import annotations


def order_transport_key(order_id: str) -> dict[str, str]:
    return {"pk": f"ORDER#{order_id}", "sk": "TRANSPORT"}


def slot_key(vehicle_id: str, day: str) -> dict[str, str]:
    """A vehicle's slot on ``day`` (``YYYY-MM-DD``): claimed by a booking, released when it ends."""
    return {"pk": f"VEHICLE#{vehicle_id}", "sk": f"SLOT#{day}"}


def booking_key(booking_id: str) -> dict[str, str]:
    return {"pk": f"BOOKING#{booking_id}", "sk": "BOOKING"}
