"""The messaging domain's event contracts (source ``soko.messaging``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from soko.shared.events import EventDetail


class SmsDeliveryReported(EventDetail):
    """Africa's Talking reported what became of an SMS (the notifications pipeline sends SMS and
    keeps each one's delivery record; it links the record by the provider's message id)."""

    SOURCE: ClassVar[str] = "soko.messaging"
    DETAIL_TYPE: ClassVar[str] = "SmsDeliveryReported"

    message_id: str = Field(min_length=1, max_length=100)
    status: str = Field(min_length=1, max_length=20, description="the provider's status (Success, Failed...)")
    failure_reason: str | None = Field(default=None, max_length=100)
