"""Issuing access tokens (identity's half; verifying them is :mod:`soko.shared.auth`).

Besides the standard claims a token carries ``tv``, the account's token version when it was issued
(a password reset or a suspension raises it), and ``sid``, the sign-in session (the refresh-token
family) it belongs to (logout revokes it): the authorizer refuses a token whose version is old or
whose session is revoked (:mod:`soko.identity.sessions`).
"""

from __future__ import annotations

import time
import uuid

from soko.shared.auth import ALGORITHM, Role

ACCESS_TOKEN_SECONDS = 15 * 60


def issue_access_token(
    *,
    user_id: str,
    role: Role,
    email: str,
    secret: str,
    issuer: str,
    audience: str,
    now: float | None = None,
    ttl_seconds: int = ACCESS_TOKEN_SECONDS,
    token_version: int = 0,
    session_id: str | None = None,
) -> str:
    import jwt  # noqa: PLC0415  (PyJWT and cryptography: only on the paths that issue tokens)

    issued = int(now if now is not None else time.time())
    claims: dict[str, object] = {
        "sub": user_id,
        "role": role,
        "email": email,
        "typ": "access",
        "iss": issuer,
        "aud": audience,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "tv": token_version,
    }
    if session_id:
        claims["sid"] = session_id
    return jwt.encode(claims, secret, algorithm=ALGORITHM)
