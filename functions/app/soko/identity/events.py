"""Identity's event contracts (source ``soko.users``): what the ML feature store learns from."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from soko.shared.auth import Role
from soko.shared.events import EventDetail


class _UserEvent(EventDetail):
    user_id: str
    role: Role
    district: str | None = None
    specialties: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    language: Literal["en", "lg"] = "en"


class UserRegistered(_UserEvent):
    SOURCE: ClassVar[str] = "soko.users"
    DETAIL_TYPE: ClassVar[str] = "UserRegistered"


class ProfileUpdated(_UserEvent):
    SOURCE: ClassVar[str] = "soko.users"
    DETAIL_TYPE: ClassVar[str] = "ProfileUpdated"

    changed: list[str] = Field(default_factory=list, description="the profile fields that changed")
