"""What other domains may read of logistics: an order's transport (payments adds the fare to what
the buyer pays and pays the transporter from escrow; the market lets the order's transporter enter
the buyer's delivery PIN), a booking's parties (realtime pushes live positions to them) and a
transporter's active jobs (the USSD menu lists them)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from soko.logistics.dal.reads import LogisticsReadsDal
from soko.logistics.models import BookingStatus

__all__ = ["BookingParties", "LogisticsReads", "OrderTransport", "TransporterJob"]


class OrderTransport(BaseModel):
    """An order's transport: its active booking, or its last one once ended (delivered, or the last
    booking cancelled, declined or expired, until another is made)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    order_id: str
    booking_id: str
    transporter_id: str
    vehicle_id: str
    fare_ugx: int = Field(ge=0)
    status: BookingStatus
    booked_by: str
    booked_at: str


class BookingParties(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    booking_id: str
    order_id: str
    transporter_id: str
    buyer_id: str
    farmer_id: str
    status: BookingStatus


class TransporterJob(BaseModel):
    """One of a transporter's active bookings, as a short menu line and its screen show it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    booking_id: str
    order_id: str
    status: BookingStatus
    fare_ugx: int = Field(ge=0)
    weight_kg: float = Field(gt=0)
    pickup_day: date
    pickup_district: str
    dropoff_district: str
    created_at: str


class LogisticsReads:
    """Read-only access to logistics (strongly consistent: a payment started right after a booking
    sees its fare)."""

    def __init__(self, table_name: str):
        self._dal = LogisticsReadsDal(table_name)

    def order_transport(self, order_id: str) -> OrderTransport | None:
        item = self._dal.order_transport(order_id)
        return OrderTransport.model_validate(item) if item else None

    def booking_parties(self, booking_id: str) -> BookingParties | None:
        item = self._dal.booking(booking_id)
        return BookingParties.model_validate({**item, "booking_id": item["id"]}) if item else None

    def transporter_jobs(self, transporter_id: str, limit: int = 4) -> list[TransporterJob]:
        """The transporter's active bookings (requested, accepted, picked up), newest first."""
        return [
            TransporterJob.model_validate(
                {
                    **item,
                    "booking_id": item["id"],
                    "pickup_district": item["pickup"]["district"],
                    "dropoff_district": item["dropoff"]["district"],
                }
            )
            for item in self._dal.transporter_jobs(transporter_id, limit)
        ]
