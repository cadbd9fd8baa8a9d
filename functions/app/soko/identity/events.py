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


class SignedOut(EventDetail):
    """A sign-in session ended (``POST /auth/logout``): its refresh tokens and access tokens are
    refused from now on, and realtime closes the WebSocket connections opened with them."""

    SOURCE: ClassVar[str] = "soko.users"
    DETAIL_TYPE: ClassVar[str] = "SignedOut"

    user_id: str
    session_id: str = Field(description="the refresh-token family (the access tokens' sid claim)")


class PasswordChanged(EventDetail):
    """The account's password was reset: every session of the account is revoked (refresh and
    access tokens), and realtime closes all its WebSocket connections."""

    SOURCE: ClassVar[str] = "soko.users"
    DETAIL_TYPE: ClassVar[str] = "PasswordChanged"

    user_id: str
