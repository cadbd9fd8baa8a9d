"""Payments models: configuration, requests, responses."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from soko.shared import phone as phones
from soko.shared.config import BaseConfig

# disputed: the provider collected an amount or currency other than the order's. The money is not
# credited to escrow, the order stays unpaid and blocked for new attempts, and a mismatch case is
# opened for an admin (who accepts the amount or refunds it): never "failed", which would let the
# buyer pay twice. expired: not completed within PaymentAttemptTtlMinutes; the order may be paid by
# another attempt (money that still arrives for it is honoured, see soko.payments.attempts).
PaymentStatus = Literal["pending", "completed", "failed", "reversed", "disputed", "expired"]
# frozen: the order is disputed, only the dispute's resolution moves it; split: a dispute's split.
Escrow = Literal["none", "held", "frozen", "released", "refunded", "split"]


class PaymentsConfig(BaseConfig):
    """Every payments function."""

    payments_table_name: str = Field(min_length=1)
    market_table_name: str = Field(min_length=1)  # orders, read through soko.market.public
    # An order's transport, read through soko.logistics.public: set for every function that prices
    # a payment or closes an escrow (a function without it reads no transport).
    logistics_table_name: str | None = None
    # A pooled order's split, read through soko.coops.public: set for the functions that pay out an
    # order (a pooled order's payout waits, retried, where it is not set).
    coops_table_name: str | None = None
    payment_provider: Literal["pesapal", "momo"] = "pesapal"
    commission_percent: Annotated[Decimal, Field(ge=0, le=50)] = Decimal(5)
    payout_delay_seconds: Annotated[int, Field(ge=0)] = 0
    reconcile_days: Annotated[int, Field(ge=1, le=90)] = 7
    initiate_stale_seconds: Annotated[int, Field(ge=10)] = 120
    payment_attempt_ttl_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 30


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


class StatementEmailRequest(BaseModel):
    """POST /payments/statements/email."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    month: str = Field(
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM (Uganda time): this month, or a past one"
    )


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
    amount_ugx: int = Field(description="What the buyer pays: the order's total plus `fare_ugx`")
    fare_ugx: int = Field(
        0, description="The transport fare included in `amount_ugx` (0 when the buyer pays no transport)"
    )
    transport_booking_id: str | None = Field(None, description="The booking whose fare the buyer pays")
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
    refunds: int = 0
    errors: int = 0


# ---------------------------------------------------------------------------- admin
MismatchKind = Literal["amount_mismatch", "state_mismatch", "refund_refused"]


class Resolution(BaseModel):
    action: Literal["accept", "refund"]
    reason: str
    admin_id: str
    at: str
    outcome: str = ""


class MismatchCase(BaseModel):
    """A payment that disagrees with its provider, for an admin. ``kind``: ``amount_mismatch`` (the
    provider collected another amount or currency: the payment is ``disputed``, nothing credited),
    ``state_mismatch`` (reconciliation found the provider's final state at odds with ours, e.g. failed
    for a payment we credited), ``refund_refused`` (the provider refused a refund we recorded)."""

    payment_id: str
    order_id: str
    kind: MismatchKind
    status: Literal["open", "resolved"]
    ours: str = Field(description="our payment status when the mismatch was last seen")
    escrow: str
    provider_state: str
    note: str
    first_at: str
    last_at: str
    seen: int = Field(description="how many times the mismatch was seen")
    resolution: Resolution | None = None


class MismatchPage(BaseModel):
    items: list[MismatchCase]
    next_cursor: str | None


class ResolveRequest(BaseModel):
    """``accept``: accept the provider's amount or state (an amount mismatch is credited to escrow for
    the amount collected; a payment the provider says failed or reversed gives its held escrow back;
    a refused refund is recorded as settled outside Soko, e.g. by a MoMo disbursement). ``refund``:
    refund through the provider (what it collected, or the held escrow; a refused refund is submitted
    again)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: Literal["accept", "refund"]
    reason: Annotated[str, Field(min_length=3, max_length=500)]


class Resolved(BaseModel):
    case: MismatchCase
    payment: Payment
    refund_status: str | None = Field(
        default=None, description="the refund's status after the action, when there is one"
    )


class LedgerPosting(BaseModel):
    kind: str
    reference: str
    amount: int = Field(description="UGX; a debit is negative, a credit positive")
    at: str


class LedgerPage(BaseModel):
    account: str
    balance: int = Field(description="the account's balance now, UGX")
    items: list[LedgerPosting]
    next_cursor: str | None
