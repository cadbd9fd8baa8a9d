"""Callers: a user by id and role (what the authorizer gives a function), with what an account made
through the API also has (email, password, phone, tokens)."""

from __future__ import annotations

from dataclasses import dataclass

from soko.shared import ids


@dataclass
class User:
    id: str
    role: str
    email: str = ""  # defaults to <id>@example.com
    password: str = ""
    phone: str | None = None
    access_token: str = ""
    refresh_token: str = ""

    def __post_init__(self) -> None:
        self.email = self.email or f"{self.id.lower()}@example.com"

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def context(self) -> dict[str, str]:
        """What the Lambda authorizer gives the function."""
        return {"userId": self.id, "role": self.role, "email": self.email}


def new_user(role: str = "farmer") -> User:
    """A caller with a fresh id (no account: for functions that only read the authorizer's context)."""
    return User(ids.ulid(), role)
