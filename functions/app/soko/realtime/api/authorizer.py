"""The WebSocket API's REQUEST authorizer on ``$connect``: the access token arrives in the query
parameter ``token`` (browsers cannot set headers on a WebSocket). A missing or invalid token is
refused here, so the connection never exists. Verification is the HTTP authorizer's
(:func:`soko.shared.auth.verify`), and so is the revocation check (identity's
:func:`soko.identity.public.sessions`: a logged-out session, a reset password or a suspended
account is refused). The context carries the token's session and expiry: the connection is
remembered with them (it lives no longer than its token, and logout closes it). Tokens are never
logged."""

from __future__ import annotations

from typing import Any

from soko.identity.public import sessions
from soko.shared import auth
from soko.shared.observability import lambda_entry, logger


def _policy(
    principal: str, effect: str, resource: str, context: dict[str, str] | None = None
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
    }
    if context:
        answer["context"] = context
    return answer


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    resource = str(event.get("methodArn") or "*")
    token = str((event.get("queryStringParameters") or {}).get("token") or "").strip()
    if not token:
        return _policy("anonymous", "Deny", resource)
    try:
        claims = auth.verify(token)
    except auth.InvalidToken as err:
        logger.info("websocket token rejected", extra={"reason": str(err)})
        return _policy("anonymous", "Deny", resource)
    try:
        current = sessions().is_current(claims)
    except Exception:
        logger.exception("the session check failed: refused", extra={"user_id": claims.sub})
        return _policy("anonymous", "Deny", resource)
    if not current:
        logger.info(
            "websocket token of a revoked session or suspended account", extra={"user_id": claims.sub}
        )
        return _policy("anonymous", "Deny", resource)
    context = {
        "userId": claims.sub,
        "role": claims.role,
        "email": claims.email,
        "sessionId": claims.sid or "",
        "expiresAt": str(claims.exp),
    }
    return _policy(claims.sub, "Allow", resource, context)


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return authorize(event)
