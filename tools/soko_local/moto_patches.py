"""Corrections to moto that make it behave like AWS where Soko depends on it. Each is small,
idempotent, and says why it exists; ``apply()`` installs them all (the local runtime and the
tests both provision through :mod:`soko_local.provision`, which calls it).

1. Transactions and streams. moto cancels a transaction by putting back a deep copy of each table
   it touched, so the table's stream object changes and a stream reader keeps reading the old one
   (every later change is lost), and the records of the cancelled writes are already in the old
   stream (a change that never happened is published). DynamoDB writes a transaction's stream
   records only when it commits. Here the thread running a transaction holds its records back
   (``StreamShard.add`` files them with the transaction) until it commits, and drops them on
   cancel; the tables' copies share the live stream object instead of copying it, so the restored
   table keeps it. Readers (DescribeStream, GetShardIterator, GetRecords, from any thread) always
   see the one real stream: nothing stands in for it while a transaction runs. Transactions also
   run one at a time: moto checks and writes item by item, so two concurrent transactions could
   both pass a condition (DynamoDB isolates them); and single-item writes take the same lock, so
   none lands while a transaction copies its tables (moto's copy fails, or drops the write, when a
   table changes under it).
2. Template parsing. moto parses every template with PyYAML's pure-Python loader (seconds for a
   template of our size); a JSON template is parsed as JSON.
3. Bucket CORS. The web app uploads photos straight to the media bucket (a presigned POST from the
   app's origin to the bucket's), so the bucket's ``CorsConfiguration`` decides whether a browser
   may. moto's server answers every origin itself (a global wildcard CORS layer), its
   CloudFormation ignores a bucket's ``CorsConfiguration``, and its POST Object (the form upload)
   answers without the bucket's CORS headers. Here the global layer is off, a template's rules are
   put on the bucket as PutBucketCors would, and the form upload's answer carries the headers of
   the rule that matches its Origin (as S3 does): what a browser may do locally is what the
   template allows.
4. Change signals. AWS pushes stream records and fires schedules itself; locally the runtime reads
   them from moto. Rather than asking moto over HTTP several times a second whether anything
   changed (most of an idle runtime's CPU), its readers wait on :data:`changes`: a stream record
   published (key ``stream:<table>``) or a schedule created, updated or deleted (key
   ``schedules``) wakes them at once. moto runs in the runtime's process, so this is a
   ``threading.Condition``; SQS needs none (moto's long polling already wakes on a sent message).
5. Firehose targets. moto's EventBridge has no Kinesis Data Firehose target (it raises, failing the
   PutEvents). An event a rule sends to a delivery stream is handed to ``soko_local.lake``, which
   writes it to the lake bucket as the stream would (the rule's other targets are moto's).
6. Roles by ARN. moto finds a function's role by computing every role's ARN (``get_role_by_arn``),
   so provisioning the template was quadratic in its functions: about half of every functional
   test's set-up with 180 functions. Roles are indexed by ARN as they are created (a hit is
   checked against moto's own roles, so a deleted or renamed role falls back to moto's search).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterable
from typing import Any

_applied = False
_lock = threading.RLock()


class _Transaction(threading.local):
    """The stream records of the transaction this thread is running (None: none is running)."""

    held: list[tuple[Any, Any, Any]] | None = None


_transaction = _Transaction()


class Changes:
    """Counters of writes by key, and a wait for the next write: a reader notes ``count(key)``,
    reads, and then waits for the count to move on (so a write during its read is never missed)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._counts: dict[str, int] = {}
        self._wakes = 0

    def count(self, key: str) -> int:
        with self._cond:
            return self._counts.get(key, 0)

    def bump(self, key: str) -> None:
        with self._cond:
            self._counts[key] = self._counts.get(key, 0) + 1
            self._cond.notify_all()

    def wait(self, key: str, seen: int, timeout: float) -> int:
        """The count of ``key`` once it differs from ``seen``, or after ``timeout`` seconds, or
        when :meth:`wake_all` is called."""
        with self._cond:
            wakes = self._wakes
            self._cond.wait_for(
                lambda: self._counts.get(key, 0) != seen or self._wakes != wakes, timeout=max(timeout, 0)
            )
            return self._counts.get(key, 0)

    def wake_all(self) -> None:
        """Release every waiter now (a runtime stopping)."""
        with self._cond:
            self._wakes += 1
            self._cond.notify_all()


changes = Changes()


def _signalled_stream_add(moto_add: Any) -> Any:
    """moto's StreamShard.add, then the change signal for the table's stream."""

    def publish(self: Any, old: Any, new: Any) -> None:
        moto_add(self, old, new)
        changes.bump(f"stream:{self.table.name}")

    return publish


def _transactions_keep_streams() -> None:
    from moto.dynamodb import models as dynamodb_models  # noqa: PLC0415
    from moto.dynamodb.models import DynamoDBBackend  # noqa: PLC0415
    from moto.dynamodb.models.table import StreamShard  # noqa: PLC0415

    original = DynamoDBBackend.transact_write_items
    publish = _signalled_stream_add(StreamShard.add)

    def add(self: Any, old: Any, new: Any) -> None:
        held = _transaction.held
        if held is None:
            publish(self, old, new)
        else:  # written by a transaction: published when (and if) it commits
            held.append((self, old, new))

    def transact_write_items(self: Any, transact_items: Any) -> Any:
        with _lock:
            live = {name: table.stream_shard for name, table in self.tables.items() if table.stream_shard}
            held: list[tuple[Any, Any, Any]] = []
            _transaction.held = held
            dynamodb_models.copy = OneCopyPerTable(live.values())  # type: ignore[assignment,attr-defined]
            try:
                result = original(self, transact_items)
            except Exception:
                for name, shard in live.items():
                    if name in self.tables:  # moto put back its copy, which holds the same stream
                        shard.table = self.tables[name]
                raise
            finally:
                dynamodb_models.copy = copy  # type: ignore[attr-defined]
                _transaction.held = None
            for shard, old, new in held:  # committed: the records appear, in order
                publish(shard, old, new)
            return result

    StreamShard.add = add  # type: ignore[method-assign]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    for name in ("put_item", "update_item", "delete_item", "batch_write_item"):
        if hasattr(DynamoDBBackend, name):
            setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name)))


class OneCopyPerTable:
    """moto backs up a table once per item of a transaction, before any write, so the copies of one
    table are identical: make one (moto's ``copy`` module is swapped for this during a call). A
    copy shares the table's live stream instead of copying it: the stream holds every record ever
    written (copying it made transactions slower the longer a run went on), and a table put back
    on cancel must keep publishing to the stream its readers know."""

    def __init__(self, streams: Iterable[Any] = ()) -> None:
        self._copies: dict[int, Any] = {}
        self._streams = list(streams)

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table  # noqa: PLC0415

        if not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in self._copies:
            shared = {id(stream): stream for stream in self._streams}  # deepcopy reuses what its memo has
            self._copies[id(value)] = copy.deepcopy(value, shared)
        return self._copies[id(value)]

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


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


def _cfn_cors_rules(configuration: dict[str, Any]) -> list[dict[str, Any]]:
    """A template's ``CorsConfiguration`` as PutBucketCors's rules (moto's ``set_cors`` shape)."""
    names = {
        "AllowedMethods": "AllowedMethod",
        "AllowedOrigins": "AllowedOrigin",
        "AllowedHeaders": "AllowedHeader",
        "ExposedHeaders": "ExposeHeader",
        "Id": "ID",
    }
    rules = []
    for rule in configuration.get("CorsRules", []):
        out = {names[k]: v for k, v in rule.items() if k in names}
        if "MaxAge" in rule:
            out["MaxAgeSeconds"] = str(rule["MaxAge"])
        rules.append(out)
    return rules


def _bucket_cors() -> None:
    from moto.moto_server import werkzeug_app  # noqa: PLC0415
    from moto.s3.models import FakeBucket, s3_backends  # noqa: PLC0415
    from moto.s3.responses import S3Response  # noqa: PLC0415
    from moto.utilities.utils import get_partition  # noqa: PLC0415

    # read when the server builds a service's app
    werkzeug_app.DISABLE_GLOBAL_CORS = True  # type: ignore[attr-defined]

    create = FakeBucket.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create_from_cloudformation_json(
        cls: Any,
        /,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        bucket = create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        configuration = cloudformation_json.get("Properties", {}).get("CorsConfiguration")
        if configuration:
            backend = s3_backends[account_id][get_partition(region_name)]
            backend.put_bucket_cors(bucket.name, _cfn_cors_rules(configuration))
        return bucket

    FakeBucket.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[method-assign,assignment]

    post = S3Response._bucket_response_post

    def _bucket_response_post(self: Any, request: Any, bucket_name: str) -> Any:
        status, headers, body = post(self, request, bucket_name)
        return status, {**self._get_cors_headers_other(), **headers}, body

    S3Response._bucket_response_post = _bucket_response_post  # type: ignore[method-assign]


def _schedule_changes() -> None:
    from moto.scheduler.models import EventBridgeSchedulerBackend  # noqa: PLC0415

    def signalled(method: Any) -> Any:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            finally:
                changes.bump("schedules")

        return call

    for name in ("create_schedule", "update_schedule", "delete_schedule"):
        setattr(EventBridgeSchedulerBackend, name, signalled(getattr(EventBridgeSchedulerBackend, name)))


def _firehose_targets() -> None:
    from moto.events.models import Rule  # noqa: PLC0415

    from soko_local import lake  # noqa: PLC0415

    original = Rule.send_to_targets

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        streams = [t for t in self.targets if t["Arn"].split(":")[2:3] == ["firehose"]]
        if not streams:
            original(self, original_event, transform_input)
            return
        if not self.event_pattern.matches_event(original_event):
            return
        for target in streams:
            lake.deliver(self.account_id, self.region_name, target["Arn"], original_event)
        others = [t for t in self.targets if t not in streams]
        if others:  # moto's own targets, through a view of the rule (its targets are shared)
            view = copy.copy(self)
            view.targets = others
            original(view, original_event, transform_input)

    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign]


def _roles_by_arn() -> None:
    from moto.iam.models import IAMBackend  # noqa: PLC0415

    create, find = IAMBackend.create_role, IAMBackend.get_role_by_arn

    def index(backend: Any) -> dict[str, Any]:
        found: dict[str, Any] | None = backend.__dict__.get("_soko_roles_by_arn")
        if found is None:
            found = backend.__dict__["_soko_roles_by_arn"] = {}
        return found

    def create_role(self: Any, *args: Any, **kwargs: Any) -> Any:
        role = create(self, *args, **kwargs)
        index(self)[role.arn] = role
        return role

    def get_role_by_arn(self: Any, arn: str) -> Any:
        role = index(self).get(arn)
        if role is not None and self.roles.get(role.id) is role and role.arn == arn:
            return role
        return find(self, arn)

    IAMBackend.create_role = create_role  # type: ignore[method-assign]
    IAMBackend.get_role_by_arn = get_role_by_arn  # type: ignore[method-assign]


def apply() -> None:
    global _applied  # noqa: PLW0603  (installed once per process)
    if _applied:
        return
    _transactions_keep_streams()
    _json_templates_as_json()
    _bucket_cors()
    _schedule_changes()
    _firehose_targets()
    _roles_by_arn()
    _applied = True
