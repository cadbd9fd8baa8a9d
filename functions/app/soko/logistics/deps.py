"""Builds what the logistics logic needs for a handler (cheap per request: config and clients
cache themselves)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pydantic import Field

from soko.identity.public import Users
from soko.logistics.bookings import BookingDeps
from soko.logistics.core_models import BookingsConfig, QuotesConfig, VehiclesConfig
from soko.logistics.dal.bookings import BookingsDal
from soko.logistics.dal.positions import PositionsDal
from soko.logistics.dal.steps import StepsDal
from soko.logistics.dal.vehicles import VehiclesDal
from soko.logistics.quotes import QuoteDeps
from soko.logistics.steps import StepDeps
from soko.logistics.tracking import Tracking, TrackingConfig
from soko.market.public import MarketReads
from soko.shared.bus import EventPublisher
from soko.shared.config import BaseConfig, load
from soko.shared.timers import SchedulerTimers, TimerConfig

if TYPE_CHECKING:
    from soko.logistics.handover import MarketHandover


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


class LogisticsConfig(BaseConfig):
    """Every logistics function: its table."""

    logistics_table_name: str = Field(min_length=1)


# ---------------------------------------------------------------------------- booking steps (helper: steps)
def steps(*, handover: bool = False) -> StepDeps:
    """The booking steps' dependencies; ``handover``: with the market's delivery-PIN rule (the
    deliver step only: it needs the market's table and config)."""
    table = load(LogisticsConfig).logistics_table_name
    return StepDeps(store=StepsDal(table), handover=_market_handover(table) if handover else None)


def _market_handover(table: str) -> MarketHandover:
    """The market's use case with its own data access, plus this domain's public read of the
    order's transport (so the market accepts the PIN from the booked transporter)."""
    from soko.identity.public import verify_secret  # noqa: PLC0415  (argon2: the handover only)
    from soko.logistics.handover import MarketHandover  # noqa: PLC0415
    from soko.logistics.public import LogisticsReads  # noqa: PLC0415
    from soko.market.deps import market  # noqa: PLC0415

    reads = LogisticsReads(table)
    return MarketHandover(lambda: replace(market(), order_transport=reads.order_transport), verify_secret)


class AnswerTimerConfig(BaseConfig):
    """The consumer that sets the transporter's answer timer (TRANSPORT_ANSWER_MINUTES)."""

    transport_answer_minutes: int = Field(default=30, ge=1)


def timers() -> SchedulerTimers:
    """The answer timers (the consumer of TransportBooked sets them)."""
    return SchedulerTimers(load(TimerConfig))


def answer_minutes() -> int:
    return int(load(AnswerTimerConfig).transport_answer_minutes)


# ---------------------------------------------------------------------------- GPS tracking


def tracking() -> Tracking:
    config = load(TrackingConfig)
    return Tracking(
        store=PositionsDal(config.logistics_table_name),
        publisher=EventPublisher(config.event_bus_name),
        retention_days=config.position_retention_days,
    )
