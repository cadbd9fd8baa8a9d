"""Payments models: configuration, requests, responses."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from soko.shared import phone as phones
from soko.shared.config import BaseConfig

# disputed: the provider collected an amount or currency other than the order's. The money is not
# credited to escrow, the order stays unpaid and blocked for new attempts, and a mismatch is recorded
# for an operator (who refunds it): never "failed", which would let the buyer pay twice.
PaymentStatus = Literal["pending", "completed", "failed", "reversed", "disputed"]
Escrow = Literal["none", "held", "released", "refunded"]


class PaymentsConfig(BaseConfig):
    """Every payments function."""

    payments_table_name: str = Field(min_length=1)
    market_table_name: str = Field(min_length=1)  # orders, read through soko.market.public
    payment_provider: Literal["pesapal", "momo"] = "pesapal"
    commission_percent: Annotated[Decimal, Field(ge=0, le=50)] = Decimal(5)
    payout_delay_seconds: Annotated[int, Field(ge=0)] = 0
    reconcile_days: Annotated[int, Field(ge=1, le=90)] = 7
    initiate_stale_seconds: Annotated[int, Field(ge=10)] = 120


class PesapalConfig(BaseConfig):
    """PAYMENT_PROVIDER=pesapal. ``PESAPAL_IPN_ID`` must be set; empty means the IPN URL is registered
    once per process. Without ``PAYMENT_CALLBACK_URL`` the payer's browser returns to the IPN URL."""

    pesapal_base_url: str = "https://cybqa.pesapal.com/pesapalv3"
    pesapal_secret_arn: str = Field(min_length=1)
    pesapal_ipn_url: str
    pesapal_ipn_id: str
    payment_callback_url: str | None = None


class MomoConfig(BaseConfig):
    """PAYMENT_PROVIDER=momo. Without ``MOMO_CALLBACK_URL`` MoMo sends no callback (reconciliation
    reads the status)."""

    momo_base_url: str = "https://sandbox.momodeveloper.mtn.com"
    momo_secret_arn: str = Field(min_length=1)
    momo_target_environment: str = "sandbox"
    momo_callback_url: str | None = None


def _phone(value: str) -> str:
    try:
        return phones.normalize(value)
    except ValueError as err:
        raise ValueError("a Ugandan mobile number such as +256772123456") from err


class InitiateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    order_id: Annotated[str, Field(min_length=1, max_length=40)]
    phone: Annotated[
        str,
        Field(min_length=9, max_length=20, json_schema_extra={"pattern": phones.SCHEMA_PATTERN}),
        AfterValidator(_phone),
    ]


class HistoryEntry(BaseModel):
    status: str
    at: str
    note: str = ""


class Payment(BaseModel):
    payment_id: str
    order_id: str
    order_tracking_id: str
    merchant_reference: str
    redirect_url: str
    status: PaymentStatus
    escrow: Escrow
    amount_ugx: int
    currency: str
    provider: str
    created_at: str
    updated_at: str
    history: list[HistoryEntry] = Field(default_factory=list)


class Notification(BaseModel):
    """A PesaPal IPN (query string or JSON body). Untrusted: only its tracking id is used."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    order_tracking_id: Annotated[str, Field(alias="OrderTrackingId", min_length=1, max_length=100)]
    merchant_reference: Annotated[str, Field(alias="OrderMerchantReference", max_length=100)] = ""
    notification_type: Annotated[str, Field(alias="OrderNotificationType", max_length=40)] = "IPNCHANGE"


class Acknowledgement(BaseModel):
    """PesaPal's acknowledgement: status 200 processed, 500 not processed."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    order_notification_type: str = Field(alias="orderNotificationType")
    order_tracking_id: str = Field(alias="orderTrackingId")
    order_merchant_reference: str = Field(alias="orderMerchantReference")
    status: Literal[200, 500]


class JobSummary(BaseModel):
    checked: int = 0
    changed: int = 0
    settled: int = 0
    settled_ugx: int = 0
    mismatches: int = 0
    errors: int = 0
