"""Secrets from AWS Secrets Manager, cached per process for a few minutes (data access)."""

from __future__ import annotations

import time

from soko.shared import aws, snapstart

_TTL_SECONDS = 300.0
_cache: dict[str, tuple[float, str]] = {}


def get(secret_id: str) -> str:
    now = time.monotonic()
    cached = _cache.get(secret_id)
    if cached and now - cached[0] < _TTL_SECONDS:
        return cached[1]
    value = str(aws.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
    _cache[secret_id] = (now, value)
    return value


@snapstart.after_restore
def clear() -> None:
    """Forget cached secrets (also after a SnapStart restore: a restored environment reads its own)."""
    _cache.clear()
