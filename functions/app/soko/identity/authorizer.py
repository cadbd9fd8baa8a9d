"""Lambda REQUEST authorizer for the HTTP API (payload 2.0, simple responses).

Returns ``{"isAuthorized": true, "context": {"userId", "role", "email"}}`` for a valid access
token; handlers read identity only from that context (:mod:`soko.shared.identity`). Verification
is :mod:`soko.shared.auth`'s. Tokens are never logged.
"""

from __future__ import annotations

from typing import Any

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
    return {
        "isAuthorized": True,
        "context": {"userId": claims.sub, "role": claims.role, "email": claims.email},
    }


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return authorize(event)
