"""Corrections to moto that make it behave like AWS where Soko depends on it. Each is small,
idempotent, and says why it exists; ``apply()`` installs them all (the local runtime and the
tests both provision through :mod:`soko_local.provision`, which calls it).

1. Transactions and streams. moto cancels a transaction by putting back a deep copy of each table
   it touched, so the table's stream object changes and a stream reader keeps reading the old one
   (every later change is lost), and the records of the cancelled writes are already in the old
   stream (a change that never happened is published). DynamoDB writes a transaction's stream
   records only when it commits. Here records are held until commit and dropped on cancel, and the
   restored table keeps the live stream. Transactions also run one at a time: moto checks and
   writes item by item, so two concurrent transactions could both pass a condition (DynamoDB
   isolates them); and single-item writes take the same lock, so none lands while a transaction
   copies its tables (moto's copy fails, or drops the write, when a table changes under it).
2. Template parsing. moto parses every template with PyYAML's pure-Python loader (seconds for a
   template of our size); a JSON template is parsed as JSON.
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

_applied = False
_lock = threading.RLock()


def _transactions_keep_streams() -> None:
    from moto.dynamodb import models as dynamodb_models  # noqa: PLC0415
    from moto.dynamodb.models import DynamoDBBackend  # noqa: PLC0415

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: Any) -> Any:
        with _lock:
            live = {
                name: table.stream_shard
                for name, table in self.tables.items()
                if table.stream_shard is not None
            }
            held: list[tuple[Any, Any, Any]] = []
            for name, shard in live.items():
                # A small recorder stands in for the stream while the transaction runs: moto
                # deep-copies each table per item for its rollback, and the live stream holds every
                # record ever written (copying it made transactions slower the longer a run went on).
                self.tables[name].stream_shard = _Recorder(shard, held)
            dynamodb_models.copy = OneCopyPerTable()  # type: ignore[assignment,attr-defined]
            try:
                result = original(self, transact_items)
            except Exception:
                for name, shard in live.items():
                    if name in self.tables:  # moto put back a copy: it gets the live stream back
                        self.tables[name].stream_shard = shard
                        shard.table = self.tables[name]
                raise
            finally:
                dynamodb_models.copy = copy  # type: ignore[attr-defined]
            for name, shard in live.items():
                self.tables[name].stream_shard = shard
            for shard, old, new in held:  # committed: the records appear, in order
                shard.add(old, new)
            return result

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    for name in ("put_item", "update_item", "delete_item", "batch_write_item"):
        if hasattr(DynamoDBBackend, name):
            setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name)))


class OneCopyPerTable:
    """moto backs up a table once per item of a transaction, before any write, so the copies of one
    table are identical: make one (moto's ``copy`` module is swapped for this during a call)."""

    def __init__(self) -> None:
        self._copies: dict[int, Any] = {}

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table  # noqa: PLC0415

        if not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in self._copies:
            self._copies[id(value)] = copy.deepcopy(value)
        return self._copies[id(value)]

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


class _Recorder:
    """Takes a transaction's stream records until it commits (see _transactions_keep_streams)."""

    def __init__(self, shard: Any, held: list[tuple[Any, Any, Any]]):
        self._shard = shard
        self._held = held

    def add(self, old: Any, new: Any) -> None:
        self._held.append((self._shard, old, new))

    def __deepcopy__(self, memo: dict[int, Any]) -> _Recorder:
        return self  # nothing of its own to copy


def _locked(method: Any) -> Any:
    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(self, *args, **kwargs)

    return write


def _json_templates_as_json() -> None:
    from moto.cloudformation.models import Stack  # noqa: PLC0415

    original = Stack.parse_template

    def parse_template(template: str) -> dict[str, Any]:
        if template.lstrip().startswith("{"):
            parsed: dict[str, Any] = json.loads(template)
            return parsed
        result: dict[str, Any] = original(template)
        return result

    Stack.parse_template = staticmethod(parse_template)  # type: ignore[method-assign]


def apply() -> None:
    global _applied  # noqa: PLW0603  (installed once per process)
    if _applied:
        return
    _transactions_keep_streams()
    _json_templates_as_json()
    _applied = True
