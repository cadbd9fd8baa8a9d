"""Issuing access tokens (identity's half; verifying them is :mod:`soko.shared.auth`)."""

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
) -> str:
    import jwt  # noqa: PLC0415  (PyJWT and cryptography: only on the paths that issue tokens)

    issued = int(now if now is not None else time.time())
    claims = {
        "sub": user_id,
        "role": role,
        "email": email,
        "typ": "access",
        "iss": issuer,
        "aud": audience,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)
