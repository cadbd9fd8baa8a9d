"""moto's DynamoDB is not atomic across threads (a transaction snapshots and restores whole
tables); a test that races requests from threads runs each request alone, as one DynamoDB request
is atomic."""

from __future__ import annotations

import threading
from typing import Any

import pytest


def serialized_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each of moto's DynamoDB requests runs alone (as one DynamoDB request is atomic)."""
    from moto.dynamodb.models import DynamoDBBackend  # noqa: PLC0415

    lock = threading.RLock()
    for name in ("transact_write_items", "put_item", "update_item", "delete_item", "get_item", "query"):
        original = getattr(DynamoDBBackend, name)

        def locked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)
