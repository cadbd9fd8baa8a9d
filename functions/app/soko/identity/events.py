"""Identity's event contracts (source ``soko.users``): what the ML feature store learns from."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from soko.shared.audit import AdminAction
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


class UserSuspended(EventDetail):
    """An admin suspended the user: the authorizer refuses them, their sessions are revoked and the
    market hides their listings until ``UserReinstated``."""

    SOURCE: ClassVar[str] = "soko.users"
    DETAIL_TYPE: ClassVar[str] = "UserSuspended"

    user_id: str
    role: Role
    reason: str
    by: str


class UserReinstated(EventDetail):
    SOURCE: ClassVar[str] = "soko.users"
    DETAIL_TYPE: ClassVar[str] = "UserReinstated"

    user_id: str
    role: Role
    reason: str
    by: str


class AdminActionTaken(AdminAction):
    SOURCE: ClassVar[str] = "soko.users"
    DETAIL_TYPE: ClassVar[str] = "AdminActionTaken"
