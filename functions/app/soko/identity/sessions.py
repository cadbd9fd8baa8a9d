"""Is an access token's session still current? (the authorizers' revocation check; no boto3 here)

An access token is a signed JWT valid for 15 minutes; signing alone cannot take it back. So the
HTTP API's authorizer and the WebSocket API's ``$connect`` authorizer also ask identity's table,
in one ``BatchGetItem``:

- the account's ``token_version``: a password reset or a suspension raises it, and a token carries
  the version it was issued with (``tv``): an older one is refused;
- the account's ``status``: a suspended account is refused;
- the token's session (``sid``, its refresh-token family): logout revokes it.

A token of an account that does not exist has nothing revoked: its signature decides (the table
is read strongly consistent, so an account or session created a moment ago is always found).

The answer is kept in the process for :data:`CACHE_SECONDS` per (user, session), so a busy user
costs one read every few seconds per warm authorizer, not one per request. With API Gateway's own
authorizer cache (``AuthorizerResultTtlInSeconds``) on top, a revoked token is refused at most
``CACHE_SECONDS + that TTL`` after the revocation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from soko.shared.auth import AccessClaims

CACHE_SECONDS = 5.0
CACHE_MAX_ENTRIES = 10_000


class SessionStates(Protocol):
    def session_state(self, user_id: str, session_id: str | None) -> dict[str, Any]: ...


def allows(claims: AccessClaims, state: dict[str, Any]) -> bool:
    """Whether the account's and session's ``state`` (see ``UsersDal.session_state``) honours ``claims``."""
    if state.get("session_revoked"):
        return False
    if state.get("token_version") is None:
        # No such account: nothing of it was revoked, the signature alone speaks (only the signing
        # key makes such a token: the bench's and the tests' minted callers). A session names an
        # account's refresh family, so a token with a session is checked above all the same.
        return True
    return state.get("status") == "active" and int(state["token_version"]) == claims.tv


class SessionCheck:
    def __init__(
        self,
        states: SessionStates,
        ttl_seconds: float | None = None,
        monotonic: Callable[[], float] | None = None,
    ):
        self._states = states
        self._ttl = CACHE_SECONDS if ttl_seconds is None else ttl_seconds
        # looked up at each call (not bound here), so a test may move the module's clock
        self._monotonic = monotonic or (lambda: time.monotonic())  # noqa: PLW0108
        self._cache: dict[tuple[str, str | None], tuple[float, dict[str, Any]]] = {}

    def is_current(self, claims: AccessClaims) -> bool:
        key = (claims.sub, claims.sid)
        now = self._monotonic()
        cached = self._cache.get(key)
        if cached is None or cached[0] <= now:
            if len(self._cache) >= CACHE_MAX_ENTRIES:
                self._cache.clear()
            cached = (now + self._ttl, self._states.session_state(claims.sub, claims.sid))
            self._cache[key] = cached
        return allows(claims, cached[1])

    def clear(self) -> None:
        self._cache.clear()
