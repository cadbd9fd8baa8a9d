"""Builds what the logistics logic needs for a handler (config and clients cache themselves)."""

from __future__ import annotations

from soko.identity.public import Users
from soko.logistics.bookings import BookingDeps
from soko.logistics.core_models import BookingsConfig, QuotesConfig, VehiclesConfig
from soko.logistics.dal.bookings import BookingsDal
from soko.logistics.dal.vehicles import VehiclesDal
from soko.logistics.quotes import QuoteDeps
from soko.market.public import MarketReads
from soko.shared.config import load


def vehicles() -> VehiclesDal:
    return VehiclesDal(load(VehiclesConfig).logistics_table_name)


def quotes() -> QuoteDeps:
    config = load(QuotesConfig)
    return QuoteDeps(
        orders=MarketReads(config.market_table_name),
        people=Users(config.users_table_name),
        vehicles=VehiclesDal(config.logistics_table_name),
        quotes=BookingsDal(config.logistics_table_name),
    )


def booking() -> BookingDeps:
    config = load(BookingsConfig)
    return BookingDeps(
        orders=MarketReads(config.market_table_name),
        store=BookingsDal(config.logistics_table_name),
        answer_minutes=config.transport_answer_minutes,
    )


def bookings() -> BookingsDal:
    """The reads of bookings (GET /transport/bookings, GET /transport/bookings/{id})."""
    return BookingsDal(load(VehiclesConfig).logistics_table_name)
