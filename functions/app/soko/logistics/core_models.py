"""Requests, responses and settings of the core of logistics: vehicles, quotes and the booking's
creation and reads (the steps and tracking keep their own models; the shared ones are in
:mod:`soko.logistics.models`)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from soko.logistics.models import Booking, Place, VehicleType
from soko.shared import places
from soko.shared.config import BaseConfig

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEK: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

MAX_CAPACITY_KG = 40_000  # a loaded 6-axle lorry's payload; nothing on Ugandan roads carries more
MAX_DISTRICTS = 30
MAX_PRICE_PER_KM_UGX = 100_000
MAX_MINIMUM_FARE_UGX = 10_000_000

# Ugandan number plates: ``UAB 123C`` (cars, pick-ups, lorries, and the ``UD``/``UE``/``UF`` series
# of motorcycles: three letters starting with U, three digits, a letter) and ``UG 1234A``
# (government). A plate is stored upper-case with one space after the letters.
_PLATE = re.compile(r"^(U[A-Z]{2})\s*(\d{3})\s*([A-Z])$|^(UG)\s*(\d{3,4})\s*([A-Z]?)$")


def normalise_plate(text: str) -> str:
    match = _PLATE.match(" ".join(text.upper().split()))
    if match is None:
        raise ValueError("a Ugandan number plate, e.g. UAB 123C")
    groups = match.groups()
    letters, digits, tail = groups[:3] if groups[0] else groups[3:]
    return f"{letters} {digits}{tail or ''}"


def _plate(value: str) -> str:
    return normalise_plate(value)


def _district(value: str) -> str:
    try:
        return places.district(value)
    except Exception as err:
        raise ValueError("not a Ugandan district we know") from err


def _districts(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        name = _district(value)
        if name not in out:
            out.append(name)
    return out


def _days(values: list[Day]) -> list[Day]:
    return [d for d in WEEK if d in values]


Plate = Annotated[str, Field(min_length=5, max_length=12), AfterValidator(_plate)]
District = Annotated[str, Field(min_length=2, max_length=40), AfterValidator(_district)]
Districts = Annotated[
    list[Annotated[str, Field(min_length=2, max_length=40)]],
    Field(min_length=1, max_length=MAX_DISTRICTS, description="districts served (the first is its base)"),
    AfterValidator(_districts),
]
Days = Annotated[
    list[Day], Field(min_length=1, max_length=7, description="weekdays it works"), AfterValidator(_days)
]
PricePerKm = Annotated[int, Field(ge=1, le=MAX_PRICE_PER_KM_UGX, description="UGX per road km")]
MinimumFare = Annotated[int, Field(ge=0, le=MAX_MINIMUM_FARE_UGX, description="UGX, the least a trip costs")]


# ---------------------------------------------------------------------------- vehicles
class VehicleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: VehicleType
    plate: Plate
    capacity_kg: int = Field(ge=1, le=MAX_CAPACITY_KG)
    districts: Districts
    price_per_km_ugx: PricePerKm
    minimum_fare_ugx: MinimumFare
    days: Days


class VehicleUpdate(BaseModel):
    """Only what is given changes (a field left out keeps its value; null is refused)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    days: Days | None = None
    districts: Districts | None = None
    price_per_km_ugx: PricePerKm | None = None
    minimum_fare_ugx: MinimumFare | None = None
    active: bool | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null (leave the field out to keep it)")
        return value


class Vehicle(BaseModel):
    id: str
    transporter_id: str
    type: VehicleType
    plate: str
    capacity_kg: int
    districts: list[str]
    price_per_km_ugx: int
    minimum_fare_ugx: int
    days: list[Day]
    active: bool
    created_at: str
    updated_at: str
    version: int


class VehiclePage(BaseModel):
    items: list[Vehicle]
    next_cursor: str | None


# ---------------------------------------------------------------------------- quotes
class DropoffPoint(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lat: float = Field(ge=-1.6, le=4.3, description="within Uganda")
    lon: float = Field(ge=29.5, le=35.1, description="within Uganda")
    address: str | None = Field(default=None, min_length=1, max_length=200)


class QuoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(min_length=1, max_length=40)
    pickup_day: date | None = Field(
        default=None, description="today or within 30 days (East Africa Time); default tomorrow"
    )
    dropoff: DropoffPoint | None = Field(
        default=None,
        description="where to deliver; default the order's delivery_district, else the buyer's district",
    )


class Quote(BaseModel):
    id: str
    vehicle_id: str
    vehicle_type: VehicleType
    transporter_id: str
    transporter_name: str
    pickup_day: date
    pickup: Place
    dropoff: Place
    distance_km: float = Field(description="road km (straight line x the road factor)")
    weight_kg: float
    fare_ugx: int
    expires_at: str = Field(description="book it before this time (UTC)")


class QuoteAnswer(BaseModel):
    order_id: str
    items: list[Quote] = Field(description="cheapest first, then nearest (the vehicle's base to the pickup)")


# ---------------------------------------------------------------------------- bookings
class BookingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quote_id: str = Field(min_length=1, max_length=40)


class BookingPage(BaseModel):
    items: list[Booking]
    next_cursor: str | None


# ---------------------------------------------------------------------------- settings
class VehiclesConfig(BaseConfig):
    logistics_table_name: str = Field(min_length=1)


class QuotesConfig(BaseConfig):
    logistics_table_name: str = Field(min_length=1)
    market_table_name: str = Field(min_length=1)
    users_table_name: str = Field(min_length=1)


class BookingsConfig(BaseConfig):
    logistics_table_name: str = Field(min_length=1)
    market_table_name: str = Field(min_length=1)
    transport_answer_minutes: int = Field(default=30, ge=1, le=9999)
