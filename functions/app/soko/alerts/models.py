"""Price alerts' models: the subscription request and answer, the stored subscription, the domain's
configuration."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from soko.ml.public import find_crop, find_market, market_for_district
from soko.shared.config import BaseConfig, BusConfig

Language = Literal["en", "lg"]
MAX_SUBSCRIPTIONS = 20  # per user or phone: a bound on a subscriber's fan-out and digest size
MAX_PRICE_UGX = 10_000_000


class AlertsConfig(BaseConfig):
    """Every alerts function: the alerts table."""

    alerts_table_name: str = Field(min_length=1)


class PricesConfig(AlertsConfig):
    """Functions that read prices and forecasts (the ML table through soko.ml.public)."""

    ml_table_name: str = Field(min_length=1)
    price_stale_after_days: int = Field(default=60, ge=1, le=3650)


class FiringConfig(PricesConfig, BusConfig):
    """The consumers that fire alerts and compile digests publish notices."""


class FanOutConfig(AlertsConfig):
    """The weekly digest job sends pages of subscribers to the digest queue."""

    digest_queue_url: str = Field(min_length=1)


class InboundSmsConfig(AlertsConfig):
    """POST /sms/inbound: the alerts table and the users table (who owns a phone); the reply is sent
    with soko.providers.sms (its own SmsConfig)."""

    users_table_name: str = Field(min_length=1)


def _crop(text: str) -> str:
    crop = find_crop(text)
    if crop is None:
        raise ValueError("not a crop Soko has prices for (maize, beans, matoke, ...)")
    return crop


def _market(text: str) -> str:
    market = find_market(text)
    if market is None:
        raise ValueError("not a market Soko has prices for (Kampala, Gulu, Lira, ...)")
    return market.id


def _district(text: str) -> str:
    try:
        return market_for_district(text).id
    except Exception:  # an unknown district
        raise ValueError("not a district Soko knows") from None


CropName = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_crop)]
MarketName = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_market)]
District = Annotated[str, Field(min_length=2, max_length=40), AfterValidator(_district)]
PriceUgx = Annotated[int, Field(ge=1, le=MAX_PRICE_UGX, description="UGX per kg")]


class Rules(BaseModel):
    """What fires: any of a price above / below a threshold, a forecast move, a weekly digest."""

    above_ugx: PriceUgx | None = Field(default=None, description="at or above this")
    below_ugx: PriceUgx | None = Field(default=None, description="at or below this")
    forecast_move_pct: int | None = Field(
        default=None, ge=1, le=100, description="tell me when the 4-week forecast moves more than this %"
    )
    digest: bool = Field(default=False, description="include this crop and market in my weekly digest")

    def any(self) -> bool:
        return bool(self.above_ugx or self.below_ugx or self.forecast_move_pct or self.digest)


class AlertCreate(Rules):
    """A subscription to one crop in one market (or the market nearest a district)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    crop: CropName = Field(description="any name, synonym or Luganda name of a forecast crop")
    market: MarketName | None = Field(default=None, description="a market's id, name or alias")
    district: District | None = Field(
        default=None, description="instead of market: the market nearest this district's main town"
    )

    @model_validator(mode="after")
    def _one_place_and_a_rule(self) -> AlertCreate:
        if (self.market is None) == (self.district is None):
            raise ValueError("give either market or district")
        if not self.any():
            raise ValueError("choose at least one of above_ugx, below_ugx, forecast_move_pct or digest")
        if self.above_ugx and self.below_ugx and self.below_ugx >= self.above_ugx:
            raise ValueError("below_ugx must be lower than above_ugx")
        return self

    @property
    def market_id(self) -> str:
        return str(self.market or self.district)


class Alert(Rules):
    """A subscription as its owner sees it."""

    id: str
    crop: str = Field(description="the crop's catalogue id")
    crop_name: str
    market: str = Field(description="the market's id")
    market_name: str
    channel: Literal["app", "sms"] = Field(description="where it was made: the API/USSD, or an SMS keyword")
    created_at: str


class AlertPage(BaseModel):
    items: list[Alert]
    next_cursor: str | None


class Subscription(Rules):
    """A stored subscription: its owner is a user (``user_id``) or a phone-only subscriber
    (``phone`` + ``language``)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    owner: str = Field(description="USER#<id> or PHONE#<e164>")
    user_id: str | None = None
    phone: str | None = None
    language: Language | None = None
    crop: str
    market: str
    channel: Literal["app", "sms"] = "app"
    created_at: str


class InboundSms(BaseModel):
    """Africa's Talking's incoming-SMS callback form."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-:.]+$")
    from_: str = Field(alias="from", pattern=r"^\+[1-9]\d{7,14}$")
    to: str = Field(default="", max_length=20)
    text: str = Field(default="", max_length=480)
    date: str = Field(default="", max_length=40)
    linkId: str = Field(default="", max_length=100)  # the provider's name


class InboundAnswer(BaseModel):
    """What POST /sms/inbound answers (Africa's Talking only needs a 200)."""

    action: Literal["subscribed", "stopped", "help", "repeat"] = Field(
        description="what the message did (repeat: this message id was handled before)"
    )
    reply_sent: bool
