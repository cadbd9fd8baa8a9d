"""Access-token verification (and issuing, for tests and the identity domain).

HS256 is pinned: the algorithm in a token's header is never trusted, so ``alg=none`` or an RSA/HMAC
confusion cannot pass. ``exp``, ``iat``, ``iss``, ``aud``, ``sub`` and the token type are required.
"""

from __future__ import annotations

import time
import uuid
from typing import Literal

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

ALGORITHM = "HS256"
ACCESS_TOKEN_SECONDS = 15 * 60
Role = Literal["farmer", "buyer", "both", "admin"]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not ours. Never says which to the client."""


class AccessClaims(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sub: str
    role: Role
    email: str
    typ: Literal["access"]
    iat: int
    exp: int
    jti: str


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


def verify_access_token(token: str, *, secret: str, issuer: str, audience: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=5,
        )
        return AccessClaims.model_validate(claims)
    except (jwt.PyJWTError, ValidationError) as err:
        raise InvalidToken(type(err).__name__) from None
