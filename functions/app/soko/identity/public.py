"""What other domains may read of identity (with :mod:`soko.identity.events`, the only identity
modules they import). Identity owns the users table: nobody else spells its keys.

Small and read-only: an account as other domains need it (:class:`UserView`), looked up by id or
phone, the farmer and buyer directories a page at a time, the error an account change can raise,
and the hashing identity uses for secrets (USSD PINs are hashed like passwords).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from soko.identity import passwords
from soko.identity.sessions import SessionCheck
from soko.shared import dynamo
from soko.shared.auth import Role
from soko.shared.config import BaseConfig, load

if TYPE_CHECKING:
    from soko.identity.dal import PhoneTaken, UsersDal
    from soko.identity.models import StoredUser

__all__ = [
    "DirectoryEntry",
    "PhoneTaken",
    "SessionCheck",
    "UserView",
    "Users",
    "hash_secret",
    "sessions",
    "verify_secret",
]


class UserView(BaseModel):
    """An account as other domains see it: never its password hash or tokens. ``phone`` is for
    the domains that text the user; ``uses_app`` is False for an account opened on a basic phone
    that has no password yet (it reads SMS, not the app)."""

    model_config = ConfigDict(frozen=True)

    id: str
    role: Role
    email: str | None = None
    phone: str | None = None
    uses_app: bool = True
    full_name: str | None = None
    district: str | None = None
    specialties: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    language: Literal["en", "lg"] = "en"
    rating_sum: int = 0
    rating_count: int = 0
    suspended: bool = False


class DirectoryEntry(BaseModel):
    """A farmer's or buyer's entry in the directory (their public profile)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    full_name: str | None = None
    district: str | None = None
    specialties: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)


def _view(user: StoredUser) -> UserView:
    fields = user.model_dump(include=set(UserView.model_fields))
    return UserView.model_validate(
        {
            **fields,
            "phone": user.verified_phone,  # only a verified phone is texted
            "uses_app": user.password_hash is not None,
            "suspended": user.suspended,
        }
    )


class Users:
    """Read-only access to accounts."""

    def __init__(self, table_name: str):
        self._table_name = table_name
        self._users_dal: UsersDal | None = None

    @property
    def _dal(self) -> UsersDal:
        # identity's data access and stored models (EmailStr, email-validator): imported when an
        # account is first read, not when another domain's function starts
        if self._users_dal is None:
            from soko.identity.dal import UsersDal  # noqa: PLC0415

            self._users_dal = UsersDal(self._table_name)
        return self._users_dal

    def get(self, user_id: str) -> UserView | None:
        user = self._dal.get_user(user_id)
        return _view(user) if user else None

    def by_phone(self, phone: str) -> UserView | None:
        """The account whose **verified** phone is ``phone`` (E.164), if any: a phone set in the
        app and not confirmed by its SMS code names nobody (it never links a USSD caller, receives
        an alert or resets a password)."""
        user_id = self._dal.user_id_by_phone(phone)
        user = self._dal.get_user(user_id) if user_id else None
        return _view(user) if user is not None and user.verified_phone == phone else None

    def directory_page(
        self, role: Literal["farmer", "buyer"], limit: int, cursor: str | None, *, district: str | None = None
    ) -> tuple[list[DirectoryEntry], str | None]:
        """One page of every farmer (or buyer), or of those in ``district`` (the directory's
        by-district index), and the opaque cursor of the next (None at the end)."""
        page = self._dal.list_directory(role, district, limit, cursor)
        return [DirectoryEntry.model_validate(dynamo.plain(i)) for i in page.items], page.next_cursor


def hash_secret(secret: str) -> str:
    """An argon2id hash of a secret (identity's password hashing)."""
    return passwords.hash_password(secret)


def verify_secret(stored_hash: str, secret: str) -> bool:
    return passwords.verify_password(stored_hash, secret)


def __getattr__(name: str) -> Any:
    """``PhoneTaken`` is identity's data-access error: imported on first use (see :class:`Users`)."""
    if name == "PhoneTaken":
        from soko.identity.dal import PhoneTaken  # noqa: PLC0415

        return PhoneTaken
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class SessionsConfig(BaseConfig):
    """The authorizers' revocation check: where the accounts are."""

    users_table_name: str = Field(min_length=1)


def sessions() -> SessionCheck:
    """The process's revocation check (its few-second cache lives as long as the process): whether
    a verified access token's account is active and its version and session were not revoked
    (see :mod:`soko.identity.sessions`). Used by the HTTP and WebSocket authorizers."""
    return _sessions(load(SessionsConfig).users_table_name)


@cache
def _sessions(table_name: str) -> SessionCheck:
    from soko.identity.dal import UsersDal  # noqa: PLC0415

    return SessionCheck(UsersDal(table_name))
