"""Notifications models."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from soko.shared.config import BaseConfig
from soko.shared.notices import NoticeCategory, Texts

NotificationType = Literal[
    "order_placed",
    "order_confirmed",
    "order_rejected",
    "order_cancelled",
    "order_completed",
    "order_dispatched",
    "order_delivered",
    "order_expired",
    "payment_completed",
    "payout_sent",
    "review_received",
    "dispute_opened",
    "dispute_resolved",
    "notice",
]
Channel = Literal["in_app", "sms", "web_push", "mobile_push", "email"]
CHOOSABLE: tuple[Channel, ...] = ("sms", "web_push", "mobile_push", "email")
CATEGORIES: tuple[NoticeCategory, ...] = (
    "orders",
    "payments",
    "disputes",
    "alerts",
    "digest",
    "weather",
    "account",
)


class NotificationsConfig(BaseConfig):
    """Every notifications function (the consumer also reads soko.realtime's RealtimeConfig)."""

    notifications_table_name: str = Field(min_length=1)


class ChannelsConfig(NotificationsConfig):
    """The consumers that deliver on channels: accounts (identity's users table) and the timers of
    quiet hours (soko.shared.timers' TimerConfig); the senders read their own configs."""

    users_table_name: str = Field(min_length=1)


class Draft(BaseModel):
    """A notification an event or a notice calls for, before it is stored and delivered."""

    recipient_id: str = Field(
        description="a user id, the admins' inbox, or phone:<E.164> for a phone-only one"
    )
    type: NotificationType
    category: NoticeCategory = "orders"
    urgent: bool = False
    title: Texts
    body: Texts
    sms: Texts | None = Field(default=None, description="no SMS text: no SMS")
    sms_basic_phone_only: bool = Field(default=False, description="SMS only to a phone without the app")
    language: Literal["en", "lg"] | None = Field(default=None, description="a phone-only recipient's")
    data: dict[str, str | int] = Field(default_factory=dict)


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class QuietHours(BaseModel):
    """Hours (East Africa Time) in which non-urgent notices wait: from ``start`` to ``end``, which may
    cross midnight (22:00-06:00). Urgent ones (heavy rain today) still go; in-app is stored at once."""

    model_config = ConfigDict(extra="forbid")

    start: Annotated[str, Field(pattern=_HHMM.pattern, examples=["22:00"], description="HH:MM, EAT")]
    end: Annotated[str, Field(pattern=_HHMM.pattern, examples=["06:00"], description="HH:MM, EAT")]

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self


class CategoryChannels(BaseModel):
    """The channels a category of notification goes on, besides the app's own list (always)."""

    model_config = ConfigDict(extra="forbid")

    sms: bool = Field(description="SMS to the verified phone (a phone without the app always gets SMS)")
    web_push: bool = Field(description="browser notifications on the devices that turned them on")
    mobile_push: bool = Field(description="the mobile app's notifications on registered devices")
    email: bool = Field(description="e-mail to a verified address")


class Preferences(BaseModel):
    """Per category, which channels; and the quiet hours (none by default)."""

    categories: dict[NoticeCategory, CategoryChannels]
    quiet_hours: QuietHours | None = None


class PreferencesUpdate(BaseModel):
    """Replace the categories given (the others keep their choice) and the quiet hours (null: none)."""

    model_config = ConfigDict(extra="forbid")

    categories: dict[NoticeCategory, CategoryChannels] = Field(default_factory=dict)
    quiet_hours: QuietHours | None = None


class Notification(BaseModel):
    id: str
    type: NotificationType
    category: NoticeCategory = "orders"
    title: str = Field(description="in the recipient's language")
    body: str = Field(description="in the recipient's language")
    texts: dict[Literal["en", "lg"], dict[Literal["title", "body"], str]] | None = Field(
        default=None, description="the title and body in English and Luganda (the app shows the user's)"
    )
    data: dict[str, str | int] = Field(
        default_factory=dict, description="ids the client links to (order_id ...)"
    )
    read: bool
    created_at: str
    read_at: str | None = None


class NotificationPage(BaseModel):
    items: list[Notification] = Field(description="Unread first, then read; newest first within each")
    next_cursor: str | None


class ReadAll(BaseModel):
    updated: int = Field(description="How many notifications this call marked read (at most 100)")
    remaining: bool = Field(description="True when unread notifications may remain: call read-all again")


_B64URL = r"^[A-Za-z0-9_-]+={0,2}$"


class PushKeys(BaseModel):
    model_config = ConfigDict(extra="ignore")

    p256dh: Annotated[
        str, Field(min_length=86, max_length=90, pattern=_B64URL, description="the browser's P-256 key")
    ]
    auth: Annotated[str, Field(min_length=22, max_length=24, pattern=_B64URL, description="16-byte secret")]


class PushSubscriptionIn(BaseModel):
    """The browser's ``PushSubscription.toJSON()``."""

    model_config = ConfigDict(extra="forbid")

    endpoint: Annotated[
        str,
        Field(
            min_length=12,
            max_length=1000,
            pattern=r"^https?://[^\s/?#]+/\S*$",
            description="the push service's URL for this browser (https)",
        ),
    ]
    expirationTime: int | None = None
    keys: PushKeys


class PushSubscriptionOut(BaseModel):
    id: str = Field(description="DELETE /notifications/push/subscriptions/{id} removes it")


class PushKey(BaseModel):
    public_key: str = Field(
        description="the VAPID public key (base64url): the Push API's applicationServerKey"
    )


class WebPushEndpointConfig(NotificationsConfig):
    """The subscription function: an http push endpoint is refused unless it is this origin (the
    local runtime's sandbox push service; empty in AWS)."""

    web_push_http_origin: str = ""


class DeviceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Literal["android", "ios"]
    token: Annotated[
        str,
        Field(
            min_length=16, max_length=4096, pattern=r"^[A-Za-z0-9_:.\-]+$", description="FCM or APNs token"
        ),
    ]


class DeviceOut(BaseModel):
    id: str
    platform: Literal["android", "ios"]
