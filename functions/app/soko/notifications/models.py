"""Notifications models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from soko.shared.config import BaseConfig

NotificationType = Literal[
    "order_placed",
    "order_confirmed",
    "order_rejected",
    "order_completed",
    "order_dispatched",
    "order_delivered",
    "order_expired",
    "payment_completed",
    "payout_sent",
    "review_received",
    "dispute_opened",
    "dispute_resolved",
]


class NotificationsConfig(BaseConfig):
    """Every notifications function (the consumer also reads soko.realtime's RealtimeConfig)."""

    notifications_table_name: str = Field(min_length=1)


class Draft(BaseModel):
    """A notification an event calls for, before it is stored."""

    recipient_id: str
    type: NotificationType
    title: str
    body: str
    data: dict[str, str | int] = Field(default_factory=dict)


class Notification(BaseModel):
    id: str
    type: NotificationType
    title: str
    body: str
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
