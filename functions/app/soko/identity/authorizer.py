"""Lambda REQUEST authorizer for the HTTP API (payload 2.0, simple responses).

Returns ``{"isAuthorized": true, "context": {"userId", "role", "email"}}`` for a valid access
token whose session is still current; handlers read identity only from that context
(:mod:`soko.shared.identity`). Verification is :mod:`soko.shared.auth`'s; the revocation check
(logout, password reset, suspension) is :mod:`soko.identity.sessions`'. Tokens are never logged.
A check that cannot be made (the table does not answer) refuses: it never lets a token through.
"""

from __future__ import annotations

from typing import Any

from soko.identity.public import sessions
from soko.shared import auth
from soko.shared.observability import logger


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    token = auth.bearer_token(event.get("headers"), event.get("identitySource"))
    if token is None:
        return {"isAuthorized": False}
    try:
        claims = auth.verify(token)
    except auth.InvalidToken as err:
        logger.info("access token rejected", extra={"reason": str(err), "route": event.get("routeKey")})
        return {"isAuthorized": False}
    try:
        current = sessions().is_current(claims)
    except Exception:
        logger.exception("the session check failed: refused", extra={"user_id": claims.sub})
        return {"isAuthorized": False}
    if not current:
        logger.info("access token of a revoked session or suspended account", extra={"user_id": claims.sub})
        return {"isAuthorized": False}
    return {
        "isAuthorized": True,
        "context": {"userId": claims.sub, "role": claims.role, "email": claims.email},
    }


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return authorize(event)
