"""The caller, as the HTTP API's Lambda authorizer described them. Never read from the body or
from a header a client can set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from soko.shared.auth import InvalidToken, Role, bearer_token, verify_access_token
from soko.shared.errors import Forbidden, Unauthorized

__all__ = ["Caller", "Role", "caller_from_event", "optional_caller", "require_caller"]


class Caller(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    role: Role
    email: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_sell(self) -> bool:
        return self.role in ("farmer", "both")

    def can_buy(self) -> bool:
        return self.role in ("buyer", "both")

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden("Your account's role does not allow this.", details={"role": self.role})


def caller_from_event(event: dict[str, Any]) -> Caller | None:
    """The caller from a payload-2.0 event's ``requestContext.authorizer.lambda`` (None if absent)."""
    context = ((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda")
    if not context:
        return None
    try:
        return Caller(user_id=context["userId"], role=context["role"], email=context.get("email", ""))
    except (KeyError, ValidationError):
        return None


def require_caller(event: dict[str, Any]) -> Caller:
    caller = caller_from_event(event)
    if caller is None:
        raise Unauthorized("Sign in to use this.")
    return caller


def optional_caller(
    event: dict[str, Any], *, secret: Callable[[], str], issuer: str, audience: str
) -> Caller | None:
    """The caller on a public route that shows more to a signed-in user.

    API Gateway runs no authorizer on public routes, so the handler verifies the bearer token
    itself, exactly as the authorizer would. A missing or invalid token means an anonymous
    caller (the route still works), never an error.
    """
    token = bearer_token(event.get("headers"))
    if token is None:
        return None
    try:
        claims = verify_access_token(token, secret=secret(), issuer=issuer, audience=audience)
    except InvalidToken:
        return None
    return Caller(user_id=claims.sub, role=claims.role, email=claims.email)
