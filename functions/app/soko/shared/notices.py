"""Notices: what another domain asks the notification pipeline to tell one person.

A domain that has something to tell a user (a price alert, a weekly digest, weather advice) does not
send SMS or e-mail itself: it publishes an event whose detail is a :class:`Notice` (its own
``source``, a past-tense detail-type), with the texts already written in English and Luganda. The
notifications domain consumes every notice: it picks the recipient's language, decides the channels
from their preferences and what they have (a basic phone gets SMS), respects quiet hours unless the
notice is urgent, and delivers each channel at most once per ``notice_id``.

A recipient is a user (``user_id``) or, for someone who subscribed by SMS keyword without an
account, a phone number (``phone``, E.164) with the ``language`` they wrote in; such a recipient is
reached by SMS only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from soko.shared.events import EventDetail

ADMINS_INBOX = "admins"  # the recipient of what every admin should see (never a user id: ids are ULIDs)
SMS_LIMIT = 160  # one GSM-7 SMS; a longer text must say so (``Texts.sms`` up to two parts: 306)
SMS_TWO_PARTS = 306

NoticeCategory = Literal["orders", "payments", "disputes", "alerts", "digest", "weather", "account"]


class Texts(BaseModel):
    """One text in both languages (Luganda falls back to nothing: both are required)."""

    en: str = Field(min_length=1)
    lg: str = Field(min_length=1)

    def pick(self, language: str | None) -> str:
        return self.lg if language == "lg" else self.en


class Notice(EventDetail):
    """The detail of a notice event (abstract: a domain subclasses it with SOURCE and DETAIL_TYPE)."""

    notice_id: str = Field(
        min_length=1, max_length=200, description="dedup key: one delivery per channel per notice_id"
    )
    user_id: str | None = None
    phone: str | None = Field(default=None, pattern=r"^\+[1-9]\d{7,14}$")
    language: Literal["en", "lg"] | None = Field(
        default=None, description="for a phone-only recipient; a user's own language wins"
    )
    category: NoticeCategory
    urgent: bool = Field(default=False, description="delivered in quiet hours too (heavy rain today)")
    title: Texts
    body: Texts = Field(description="the app's, push's and e-mail's text")
    sms: Texts = Field(description=f"the SMS text: at most {SMS_TWO_PARTS} characters (2 parts)")
    data: dict[str, str | int] = Field(default_factory=dict, description="ids a client links to")

    @model_validator(mode="after")
    def _recipient_and_length(self) -> Notice:
        if not (self.user_id or self.phone):
            raise ValueError("a notice needs a user_id or a phone")
        for text in (self.sms.en, self.sms.lg):
            if len(text) > SMS_TWO_PARTS:
                raise ValueError(f"an SMS text is {len(text)} characters, more than {SMS_TWO_PARTS}")
        return self


def sms_parts(text: str) -> int:
    """How many SMS a text costs (GSM-7: 160 alone, 153 per part when concatenated)."""
    return 1 if len(text) <= SMS_LIMIT else -(-len(text) // 153)
