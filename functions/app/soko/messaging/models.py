"""Messaging models: configuration and Africa's Talking's delivery report."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from soko.shared.config import BaseConfig

DeliveryStatus = Literal["Sent", "Submitted", "Buffered", "Rejected", "Success", "Failed", "Expired"]


class MessagingConfig(BaseConfig):
    """Every messaging function."""

    messaging_table_name: str = Field(min_length=1)


class DeliveryReport(BaseModel):
    """Africa's Talking's delivery-report callback (a form POST)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)

    id: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:\-]+$")]
    status: DeliveryStatus
    phone_number: Annotated[
        str | None,
        Field(default=None, max_length=20, validation_alias=AliasChoices("phoneNumber", "phone_number")),
    ] = None
    network_code: Annotated[
        str | None,
        Field(default=None, max_length=10, validation_alias=AliasChoices("networkCode", "network_code")),
    ] = None
    failure_reason: Annotated[
        str | None,
        Field(default=None, max_length=100, validation_alias=AliasChoices("failureReason", "failure_reason")),
    ] = None


class ReportRecorded(BaseModel):
    recorded: bool = Field(
        description="true when the message is one this domain recorded; every report is passed on to the "
        "notifications pipeline (SmsDeliveryReported), which links it to the SMS it sent"
    )
