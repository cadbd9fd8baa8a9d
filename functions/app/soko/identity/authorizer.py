"""Lambda REQUEST authorizer for the HTTP API (payload 2.0, simple responses).

Returns ``{"isAuthorized": true, "context": {"userId", "role", "email"}}`` for a valid access
token; handlers read identity only from that context (:mod:`soko.shared.identity`). Tokens are
never logged.
"""

from __future__ import annotations

from typing import Any

from soko.identity.tokens import InvalidToken, verify_access_token
from soko.shared import secrets
from soko.shared.config import BaseConfig, load
from soko.shared.observability import logger


class AuthorizerConfig(BaseConfig):
    jwt_secret_arn: str
    jwt_issuer: str = "soko"
    jwt_audience: str = "soko-api"


def _bearer(event: dict[str, Any]) -> str | None:
    sources = event.get("identitySource") or []
    header = sources[0] if sources else (event.get("headers") or {}).get("authorization", "")
    scheme, _, token = str(header).partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    config = load(AuthorizerConfig)
    token = _bearer(event)
    if token is None:
        return {"isAuthorized": False}
    try:
        claims = verify_access_token(
            token,
            secret=secrets.get(config.jwt_secret_arn),
            issuer=config.jwt_issuer,
            audience=config.jwt_audience,
        )
    except InvalidToken as err:
        logger.info("access token rejected", extra={"reason": str(err), "route": event.get("routeKey")})
        return {"isAuthorized": False}
    return {
        "isAuthorized": True,
        "context": {"userId": claims.sub, "role": claims.role, "email": claims.email},
    }


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return authorize(event)
