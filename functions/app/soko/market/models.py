"""Marketplace models: requests, responses and stored items."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from soko.market.tiers import PriceTier, PriceTiers
from soko.payments.public import MoneyTrail
from soko.shared import crops, places
from soko.shared.config import BaseConfig

ListingStatus = Literal["active", "deleted"]
OrderStatus = Literal[
    "pending",
    "confirmed",
    "rejected",
    "cancelled",
    "dispatched",
    "delivered",
    "completed",
    "disputed",
    "resolved",
    "expired",
]
DisputeReason = Literal["not_delivered", "wrong_quantity", "poor_quality", "other"]
PAID = "paid (escrow)"  # the payment status of an order whose money is held in escrow
Sort = Literal["price", "-price", "newest"]
GRAMS_PER_KG = 1000
MAX_QUANTITY_KG = Decimal(1_000_000)


class MoneyTrailConfig(BaseConfig):
    """GET /orders/{id} reads the order's money trail from payments (PAYMENTS_TABLE_NAME required)."""

    payments_table_name: str = Field(min_length=1)


class MarketConfig(BaseConfig):
    """Every marketplace function. The media bucket is read by the media store when used
    (soko.shared.media.MediaConfig); the signing key by the one public route that knows its viewer
    (soko.shared.auth.AuthConfig)."""

    market_table_name: str = Field(min_length=1)
    orders_per_buyer_per_hour: int = 20
    large_order_factor: float = 5.0
    # After ``delivered`` the buyer has this long to confirm or dispute; then escrow is released.
    dispute_window_minutes: int = Field(default=4320, ge=1)
    pending_order_ttl_minutes: int = Field(default=2880, ge=1)  # a pending order nobody answered
    unpaid_order_ttl_minutes: int = Field(default=1440, ge=1)  # a confirmed order nobody paid
    # A buyer's open (pending or confirmed-unpaid) quantity on one listing, in percent of the
    # listing's size (its quantity left plus the quantity its orders hold).
    max_open_share_of_listing: int = Field(default=50, ge=1, le=100)
    delivery_pin_attempts: int = Field(default=5, ge=1)


class BuyerContactConfig(BaseConfig):
    """The payments consumer, which texts the buyer their delivery PIN (the users table, read through
    soko.identity.public; the SMS provider's soko.providers.sms.SmsConfig)."""

    users_table_name: str = Field(min_length=1)


def _kg(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be more than 0 kg")
    if value > MAX_QUANTITY_KG:
        raise ValueError("must be at most 1,000,000 kg")
    if value != value.quantize(Decimal("0.001")):
        raise ValueError("use at most 3 decimals (grams)")
    return value


Kilograms = Annotated[
    Decimal,
    AfterValidator(_kg),
    Field(
        description="kilograms, more than 0 and at most 1,000,000, at most 3 decimals",
        json_schema_extra={"exclusiveMinimum": 0, "maximum": int(MAX_QUANTITY_KG)},
    ),
]
# Strict: money is a JSON integer, never "1200" or 1200.0 (docs/conventions.md: no floats for money).
Ugx = Annotated[int, Field(strict=True, gt=0, le=100_000_000, description="integer UGX")]


def to_grams(kg: Decimal) -> int:
    return int((kg * GRAMS_PER_KG).to_integral_value())


def to_kg(grams: int) -> Decimal:
    return (Decimal(grams) / GRAMS_PER_KG).quantize(Decimal("0.001"))


def total_ugx(price_per_kg: int, grams: int) -> int:
    return int((Decimal(price_per_kg) * Decimal(grams) / GRAMS_PER_KG).quantize(Decimal(1), ROUND_HALF_UP))


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _district(value: str) -> str:
    try:
        return places.district(value)
    except Exception as err:
        raise ValueError(f"'{value}' is not a Ugandan district we know") from err


CropId = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(crops.catalogue_id)]
District = Annotated[str, Field(min_length=2, max_length=40), AfterValidator(_district)]
Category = Literal["grains", "legumes", "tubers", "fruit_veg", "flours", "animal", "processed", "cash"]


class ListingCreate(_Input):
    title: Annotated[str, Field(min_length=3, max_length=120)]
    category: Category | None = Field(default=None, description="defaults to the crop's category")
    crop: CropId = Field(description="any name, synonym or Luganda name; stored as the catalogue id")
    price_per_kg: Ugx
    quantity_kg: Kilograms
    district: District
    description: Annotated[str | None, Field(max_length=2000)] = None
    harvest_date: date | None = None
    price_tiers: PriceTiers = Field(
        default_factory=list,
        description="volume price tiers (at most 5, increasing in min_kg and discount_percent): an "
        "order of at least `min_kg` pays the price less `discount_percent`, rounded half up per kg",
    )

    @field_validator("harvest_date")
    @classmethod
    def _recent(cls, value: date | None) -> date | None:
        if value is not None and value.year < 2000:
            raise ValueError("a harvest date after 2000")
        return value


class ListingUpdate(_Input):
    """Fields left out are kept; ``null`` clears only the optional ones (description, harvest date)."""

    title: Annotated[str | None, Field(min_length=3, max_length=120)] = None
    price_per_kg: Ugx | None = None
    quantity_kg: Annotated[Decimal | None, Field(ge=0)] = None
    description: Annotated[str | None, Field(max_length=2000)] = None
    harvest_date: date | None = None
    price_tiers: PriceTiers | None = Field(
        default=None, description="replaces the listing's volume price tiers; `[]` clears them"
    )

    @field_validator("title", "price_per_kg", "quantity_kg", "price_tiers", mode="before")
    @classmethod
    def _no_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null (leave the field out to keep it)")
        return value

    @field_validator("quantity_kg")
    @classmethod
    def _quantity(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value != 0:
            _kg(value)
        return value


class Listing(BaseModel):
    id: str
    farmer_id: str
    title: str
    category: str
    crop: str
    crop_name: str
    price_per_kg: int
    quantity_kg: Decimal
    district: str
    description: str | None = None
    harvest_date: date | None = None
    status: Literal["active", "hidden", "deleted"] = Field(
        description="hidden: taken down by an admin or its farmer is suspended (only the farmer and "
        "admins see it, with `moderation` saying why)"
    )
    images: list[str] = Field(default_factory=list, description="presigned image URLs")
    created_at: str
    updated_at: str
    moderation: ListingModeration | None = Field(
        default=None, description="why a hidden listing is hidden (to its farmer and admins only)"
    )
    price_tiers: list[PriceTier] = Field(
        default_factory=list, description="volume price tiers, increasing in min_kg and discount"
    )
    coop_id: str | None = Field(default=None, description="the cooperative of a pooled listing")


class ListingPage(BaseModel):
    items: list[Listing]
    next_cursor: str | None


class ImageUploadRequest(_Input):
    content_type: Literal["image/jpeg", "image/png", "image/webp"]


class ImageUpload(BaseModel):
    url: str
    fields: dict[str, str]
    key: str
    max_bytes: int
    expires_in: int


class OrderCreate(_Input):
    listing_id: Annotated[str, Field(min_length=1, max_length=40)]
    quantity_kg: Kilograms
    delivery_district: District | None = None


class StatusChange(_Input):
    new_status: Literal["confirmed", "rejected", "dispatched", "delivered", "completed"] = Field(
        description="`completed` is refused (409): only the buyer's receipt, the delivery PIN or the "
        "dispute window's end complete an order"
    )


class DeliveryPin(_Input):
    pin: Annotated[str, Field(pattern=r"^[0-9]{6}$", description="the 6 digits the buyer received by SMS")]


MAX_DISPUTE_PHOTOS = 5


class DisputeCreate(_Input):
    reason: DisputeReason
    details: Annotated[str, Field(min_length=1, max_length=1000)]
    photos: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]],
        Field(max_length=MAX_DISPUTE_PHOTOS, description="keys of photos uploaded with /disputes/photos"),
    ] = Field(default_factory=list)


class DisputeView(BaseModel):
    id: str
    reason: DisputeReason
    details: str
    photos: list[str] = Field(default_factory=list)
    opened_at: str
    status: Literal["open", "resolved"]
    outcome: Literal["release", "refund", "split"] | None = None
    buyer_amount_ugx: int | None = None
    farmer_amount_ugx: int | None = None
    resolved_at: str | None = None


class ReviewCreate(_Input):
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str | None, Field(max_length=1000)] = None


class AuditEntry(BaseModel):
    actor: str
    from_status: OrderStatus | None
    to_status: OrderStatus
    at: str


class Order(BaseModel):
    id: str
    listing_id: str
    buyer_id: str
    farmer_id: str
    crop: str
    title: str
    district: str
    delivery_district: str | None = None
    quantity_kg: Decimal
    price_per_kg: int = Field(
        description="the price paid per kg: the listing's, less a volume tier's discount"
    )
    discount_percent: int = Field(
        default=0,
        description="the volume tier's discount in price_per_kg (the group's tier for a group order)",
    )
    total_ugx: int
    status: OrderStatus
    payment_status: str = "unpaid"
    reviewed: bool = False
    flagged: bool = False
    created_at: str
    updated_at: str
    dispatched_at: str | None = None
    delivered_at: str | None = None
    release_at: str | None = Field(
        default=None, description="when escrow is released if the buyer neither confirms nor disputes"
    )
    completed_at: str | None = None
    released_by: Literal["receipt", "pin", "window"] | None = None
    expired_reason: Literal["unanswered", "unpaid"] | None = None
    delivery_pin_locked: bool = False
    dispute: DisputeView | None = None
    audit: list[AuditEntry] = Field(default_factory=list)
    coop_id: str | None = Field(default=None, description="an order of a cooperative's pooled listing")
    group_id: str | None = Field(default=None, description="an order of a bulk-buying group")
    money_trail: MoneyTrail | None = Field(
        default=None,
        description="GET /orders/{id} only: the order's payment, where its money is and each movement",
    )


class OrderPage(BaseModel):
    items: list[Order]
    next_cursor: str | None


class Review(BaseModel):
    order_id: str
    farmer_id: str
    buyer_id: str
    rating: int
    comment: str | None = None
    created_at: str
    farmer_rating: float
    farmer_rating_count: int
    farmer_fulfillment_rate: float | None


class Flag(BaseModel):
    id: str
    order_id: str
    buyer_id: str
    reason: str
    quantity_kg: Decimal
    usual_quantity_kg: Decimal
    created_at: str


class FlagPage(BaseModel):
    items: list[Flag]
    next_cursor: str | None


class ListingModeration(BaseModel):
    taken_down: bool = Field(description="an admin took it down (POST /admin/listings/{id}/takedown)")
    reason: str | None = Field(default=None, description="the admin's reason for the takedown")
    taken_down_at: str | None = None
    farmer_suspended: bool = Field(description="hidden while its farmer's account is suspended")


class ModerationRequest(_Input):
    reason: Annotated[
        str,
        Field(min_length=3, max_length=500, description="why (shown to the farmer, kept in the audit log)"),
    ]


class CatalogueCrop(BaseModel):
    id: str = Field(description="the catalogue id stored on listings and orders (`maize_grain`)")
    name: str = Field(description="English name")
    luganda: str = Field(description="Luganda name")
    category: Category


class CatalogueDistrict(BaseModel):
    name: str = Field(description="the canonical district name listings and orders use")
    lat: float = Field(description="latitude of the district's main town, about 0.01 degree")
    lon: float = Field(description="longitude of the district's main town, about 0.01 degree")


class Catalogue(BaseModel):
    crops: list[CatalogueCrop] = Field(description="every crop, in catalogue order")
    districts: list[CatalogueDistrict] = Field(description="every district, by name")
