"""USSD models: the gateway's request, the reply, the menu state kept between requests, and what
the menu knows of the caller and their orders and listings."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from soko.shared import phone as phones
from soko.shared.auth import Role
from soko.shared.config import BaseConfig
from soko.ussd.texts import MAX_SCREEN, Language

MAX_TEXT = 400  # characters of input history accepted (a session is at most a few dozen keys)
MAX_PARTS = 24
SESSION_SECONDS = 15 * 60  # AT ends a USSD session well before; the item is then useless


class UssdConfig(BaseConfig):
    users_table_name: str = Field(min_length=1)
    market_table_name: str = Field(min_length=1)
    ml_table_name: str = Field(min_length=1)
    url_token_secret_arn: str = Field(min_length=1)
    alerts_table_name: str = Field(min_length=1)  # price alerts (menu 7)
    logistics_table_name: str = Field(min_length=1)  # a transporter's jobs (menu 2 for transporters)
    coops_table_name: str = Field(min_length=1)  # a member's coop (menu 9)


class UssdRequest(BaseModel):
    """Africa's Talking's form fields; every one is untrusted."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)

    session_id: Annotated[str, Field(alias="sessionId", pattern=r"^[A-Za-z0-9_.:\-]{1,100}$")]
    phone_number: Annotated[str, Field(alias="phoneNumber", max_length=20)]
    service_code: Annotated[str, Field(alias="serviceCode", max_length=40)] = ""
    network_code: Annotated[str, Field(alias="networkCode", max_length=10)] = ""
    text: Annotated[str, Field(max_length=MAX_TEXT, repr=False)] = ""  # may hold a PIN: never shown

    @field_validator("phone_number")
    @classmethod
    def _phone(cls, value: str) -> str:
        return phones.normalize(value)

    @property
    def parts(self) -> list[str]:
        return [p.strip() for p in self.text.split("*")] if self.text else []


class Reply(BaseModel):
    end: bool
    body: str

    @property
    def text(self) -> str:
        return ("END " if self.end else "CON ") + self.body


class MenuState(BaseModel):
    """Where a session is after some inputs. Holds no PIN (a PIN is only read from the input
    history, by its position) and what the caller was shown (so a choice picks what they saw)."""

    screen: str = "main"
    data: dict[str, Any] = Field(default_factory=dict)
    hint: str | None = None
    hint_values: dict[str, Any] = Field(default_factory=dict)


class Member(BaseModel):
    """A registered caller, as the menu needs them."""

    user_id: str
    role: Role
    email: str | None = None
    name: str
    district: str | None = None
    language: Language = "en"
    has_pin: bool = False

    @property
    def sells(self) -> bool:
        return self.role in ("farmer", "both")

    @property
    def transports(self) -> bool:
        return self.role == "transporter"


class OrderLine(BaseModel):
    id: str
    crop: str
    kg: str
    price: int
    total: int
    status: str
    paid: bool = False  # its payment is held in escrow (a farmer may dispatch and deliver it)


class JobLine(BaseModel):
    """One of a transporter's active bookings (logistics), as the jobs menu lists it."""

    id: str  # the booking
    crop: str  # the order's crop ("" when the order cannot be read)
    kg: str
    origin: str  # the pickup district
    destination: str  # the drop-off district
    day: str  # the pickup day, YYYY-MM-DD
    fare: int
    status: str  # requested, accepted or picked_up


class PriceOutlook(BaseModel):
    """A pair's price screen: the forecast weeks and how old the newest price behind them is."""

    weeks: list[tuple[date, int]]
    data_through: date | None = None
    age_days: int | None = None
    stale: bool = False  # past PriceStaleAfterDays: the last price is shown as old data, no forecast
    last_price: int | None = None
    last_price_day: date | None = None
    last_price_age_days: int | None = None


class ListingLine(BaseModel):
    id: str
    crop: str
    kg: str
    price: int


PinOutcome = Literal["ok", "wrong", "locked", "no_pin"]


class PinCheck(BaseModel):
    outcome: PinOutcome
    tries_left: int = 0
    locked_minutes: int = 0


_ASCII = re.compile(r"[^\x20-\x7e\n]")


def plain_ascii(text: str) -> str:
    return _ASCII.sub("?", text)


def fits(reply: Reply) -> bool:
    return len(reply.text) <= MAX_SCREEN
