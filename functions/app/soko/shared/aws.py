"""Lazily created, reused boto3 clients and resources (created on first use, never at import).

boto3 reads ``AWS_ENDPOINT_URL`` itself, so the same code talks to AWS, LocalStack or the local
runtime's embedded moto without endpoint patching.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from soko.shared import snapstart


@cache
def _session() -> Any:
    import boto3  # noqa: PLC0415  (kept off the import path of modules that may never call AWS)

    return boto3.session.Session()


def preload() -> None:
    """Import boto3 (and its DynamoDB conditions) without a session, client or credentials: what
    SnapStart's before-snapshot hook runs, so restored environments do not pay the import."""
    import boto3  # noqa: PLC0415
    import boto3.dynamodb.conditions  # noqa: F401, PLC0415


@cache
def client(service: str, endpoint_url: str | None = None) -> Any:
    """A client for ``service``; ``endpoint_url`` overrides the endpoint for this service only (a
    provider's sandbox twin, e.g. SES's in the local runtime)."""
    return _session().client(service, endpoint_url=endpoint_url or None)


@cache
def resource(service: str) -> Any:
    return _session().resource(service)


@snapstart.after_restore
def reset() -> None:
    """Forget cached clients (tests that swap endpoints or credentials call this, and so does a
    SnapStart restore: connections and credentials are the environment's own)."""
    client.cache_clear()
    resource.cache_clear()
    _session.cache_clear()
