"""The event lake, served locally: Kinesis Data Firehose, Glue and Athena as the runtime needs them.

moto's CloudFormation builds none of ``AWS::KinesisFirehose::DeliveryStream``, ``AWS::Glue::*`` or
``AWS::Athena::*``, and its EventBridge has no Firehose target. So:

- The provisioner skips those types and gives each a local name (what ``Ref`` answers:
  ``<stack>-<LogicalId>``; a Glue database's is lower case with underscores, as Glue keeps it) and a
  delivery stream its ARN (``GetAtt .Arn``), so what refers to them (the lake rule and its role,
  functions' environment, policies) is provisioned as written.
- A delivery stream is registered here (:func:`register`) with the bucket its ``BucketARN`` resolves
  to, its ``Prefix`` and its dynamic partitioning query. When the bus sends an event to a rule
  target that is a registered stream (``moto_patches`` routes it here), the event is written to
  the embedded S3 AT ONCE, one object per event: the full EventBridge envelope as one JSON line
  (``AppendDelimiterToRecord``), gzipped (``CompressionFormat: GZIP``), at the key the prefix
  gives. AWS buffers (60 s / 64 MB) and writes many events per object; the layout and the lines
  are the same, so the same SQL reads both.
- Only the partition expressions the template uses are evaluated (anything else fails the
  provisioning, loudly): ``dt`` = ``.time | fromdateiso8601 + 10800 | strftime("%Y-%m-%d")`` (the
  EAT date of the event's time) and ``type`` = ``.["detail-type"]``; in prefixes
  ``!{partitionKeyFromQuery:<key>}``, ``!{timestamp:<yyyy MM dd HH mm ss>}`` and
  ``!{firehose:error-output-type}``. An event whose keys cannot be evaluated goes under the
  stream's ``ErrorOutputPrefix`` (as Firehose's ``partitioning-failed`` output does).
- Glue and Athena are not served: locally the lake is queried by DuckDB over the bucket
  (``soko.analytics.dal.lake_duckdb``), which needs no catalogue.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

log = logging.getLogger("soko_local.lake")

DELIVERY_STREAM = "AWS::KinesisFirehose::DeliveryStream"
LAKE_TYPES = {
    DELIVERY_STREAM,
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Athena::WorkGroup",
    "AWS::Athena::NamedQuery",
}
EAT = timezone(timedelta(hours=3), "EAT")
ENVELOPE = ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")


class LakeConfigError(RuntimeError):
    """The template asks the local lake for something it does not evaluate."""


def _event_time(event: dict[str, Any]) -> datetime:
    """The event's ``time`` (ISO 8601 with Z as EventBridge writes it) as an aware datetime."""
    value = event["time"]
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value):
        raise ValueError(f"time {value!r} is not yyyy-mm-ddThh:mm:ssZ")  # jq's fromdateiso8601 too
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _eat_date(event: dict[str, Any]) -> str:
    return (_event_time(event) + timedelta(seconds=10800)).strftime("%Y-%m-%d")


def _detail_type(event: dict[str, Any]) -> str:
    value = event["detail-type"]
    if not isinstance(value, str) or not value:
        raise ValueError("no detail-type")
    return value


# The jq expressions (Firehose's MetadataExtractionQuery) the local lake evaluates, and how.
EXPRESSIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    '.time | fromdateiso8601 + 10800 | strftime("%Y-%m-%d")': _eat_date,
    '.["detail-type"]': _detail_type,
}
_PREFIX_VARIABLE = re.compile(r"!\{([^}:]+):([^}]*)\}")
_JAVA_TIME = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


def _split_top_level(text: str) -> list[str]:
    """``a, b`` split at commas outside parentheses, brackets and strings."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char in "([{":
            depth += 1
        elif not quoted and char in ")]}":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_query(query: str) -> dict[str, Callable[[dict[str, Any]], str]]:
    """A MetadataExtractionQuery ``{key: expression, ...}`` -> key -> evaluator (known ones only)."""
    text = query.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise LakeConfigError(f"metadata query {query!r} is not an object {{key: expression, ...}}")
    keys: dict[str, Callable[[dict[str, Any]], str]] = {}
    for pair in _split_top_level(text[1:-1]):
        key, _, expression = pair.partition(":")
        expression = expression.strip()
        while expression.startswith("(") and expression.endswith(")"):
            expression = expression[1:-1].strip()
        if expression not in EXPRESSIONS:
            raise LakeConfigError(
                f"the local lake does not evaluate {expression!r} (for {key.strip()!r}); "
                f"it knows {sorted(EXPRESSIONS)} (soko_local.lake)"
            )
        keys[key.strip()] = EXPRESSIONS[expression]
    return keys


def _java_time(pattern: str, moment: datetime) -> str:
    out = pattern
    for java, python in _JAVA_TIME.items():
        out = out.replace(java, moment.strftime(python))
    return out


def render_prefix(prefix: str, keys: dict[str, str], *, now: datetime, error_type: str = "") -> str:
    """A Firehose S3 prefix with its ``!{namespace:name}`` expressions evaluated."""

    def value(match: re.Match[str]) -> str:
        namespace, name = match.group(1), match.group(2)
        if namespace == "partitionKeyFromQuery" and name in keys:
            return keys[name]
        if namespace == "timestamp":
            return _java_time(name, now)
        if namespace == "firehose" and name == "error-output-type" and error_type:
            return error_type
        raise LakeConfigError(f"the local lake cannot evaluate !{{{namespace}:{name}}} in {prefix!r}")

    return _PREFIX_VARIABLE.sub(value, prefix)


@dataclass(frozen=True)
class DeliveryStream:
    """A delivery stream as the local lake writes it."""

    name: str
    arn: str
    bucket: str
    prefix: str
    error_prefix: str
    keys: dict[str, Callable[[dict[str, Any]], str]] = field(default_factory=dict)
    gzip: bool = True
    delimiter: str = ""

    @classmethod
    def from_template(cls, name: str, arn: str, bucket: str, props: dict[str, Any]) -> DeliveryStream:
        """From the resource's Properties (ExtendedS3DestinationConfiguration); checks what it can."""
        config = props.get("ExtendedS3DestinationConfiguration") or {}
        if not config:
            raise LakeConfigError(f"{name}: the local lake serves ExtendedS3 destinations only")
        keys: dict[str, Callable[[dict[str, Any]], str]] = {}
        delimiter = ""
        processing = config.get("ProcessingConfiguration") or {}
        for processor in processing.get("Processors", []) if processing.get("Enabled") else []:
            parameters = {p["ParameterName"]: p["ParameterValue"] for p in processor.get("Parameters", [])}
            if processor["Type"] == "MetadataExtraction":
                keys = parse_query(parameters["MetadataExtractionQuery"])
            elif processor["Type"] == "AppendDelimiterToRecord":
                delimiter = parameters.get("Delimiter", "\\n").encode().decode("unicode_escape")
            else:
                raise LakeConfigError(f"{name}: the local lake has no {processor['Type']} processor")
        stream = cls(
            name=name,
            arn=arn,
            bucket=bucket,
            prefix=str(config.get("Prefix", "")),
            error_prefix=str(config.get("ErrorOutputPrefix", "errors/")),
            keys=keys,
            gzip=config.get("CompressionFormat", "UNCOMPRESSED") == "GZIP",
            delimiter=delimiter,
        )
        render_prefix(stream.prefix, dict.fromkeys(keys, "x"), now=datetime.now(UTC))  # fails early
        return stream

    def record(self, event: dict[str, Any]) -> bytes:
        """The bytes Firehose stores for one event: its JSON, the delimiter, compressed."""
        raw = (json.dumps(event, separators=(",", ":"), ensure_ascii=False) + self.delimiter).encode()
        return gzip.compress(raw, mtime=0) if self.gzip else raw

    def key(self, event: dict[str, Any], now: datetime) -> str:
        """Where the event goes: the prefix with its partition keys, or the error prefix."""
        suffix = f"{self.name}-1-{now:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}" + (".gz" if self.gzip else "")
        try:
            values = {key: evaluate(event) for key, evaluate in self.keys.items()}
        except (KeyError, TypeError, ValueError) as error:
            log.warning("lake %s: partitioning event %s failed: %s", self.name, event.get("id"), error)
            return render_prefix(self.error_prefix, {}, now=now, error_type="partitioning-failed") + suffix
        return render_prefix(self.prefix, values, now=now) + suffix


_streams: dict[str, DeliveryStream] = {}  # ARN -> stream (moto keeps every account in one process)
_streams_lock = threading.Lock()


def register(stream: DeliveryStream) -> None:
    with _streams_lock:
        _streams[stream.arn] = stream


def registered(arn: str) -> DeliveryStream | None:
    with _streams_lock:
        return _streams.get(arn)


def envelope(event: dict[str, Any]) -> dict[str, Any]:
    """moto's event message as EventBridge delivers it (its keys, in its order; time as text)."""
    message = {k: event[k] for k in ENVELOPE if k in event}
    time = message.get("time")
    if isinstance(time, int | float):
        message["time"] = datetime.fromtimestamp(time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(time, datetime):
        message["time"] = time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return message


def deliver(account_id: str, region: str, target_arn: str, event: dict[str, Any]) -> bool:
    """Write one event the bus sent to a stream target into the embedded S3 (False: no such stream)."""
    from moto.s3.models import s3_backends  # noqa: PLC0415
    from moto.utilities.utils import get_partition  # noqa: PLC0415

    stream = registered(target_arn)
    if stream is None:
        log.warning("no local delivery stream %s: event %s dropped", target_arn, event.get("id"))
        return False
    message = envelope(event)
    now = datetime.now(UTC)
    backend = s3_backends[account_id][get_partition(region)]
    backend.put_object(stream.bucket, stream.key(message, now), stream.record(message))
    return True


# ---------------------------------------------------------------------------- provisioning
@dataclass(frozen=True)
class LocalLake:
    """What the provisioner substitutes for the lake's resources, and the streams to register."""

    refs: dict[str, str]  # logical id -> what Ref answers
    attributes: dict[tuple[str, str], str]  # (logical id, attribute) -> what GetAtt answers
    streams: dict[str, dict[str, Any]]  # delivery stream logical id -> its Properties


def _local_name(stack_name: str, logical_id: str, resource: dict[str, Any]) -> str:
    kind = resource.get("Type")
    if kind == "AWS::Glue::Database":
        return re.sub(r"[^a-z0-9_]", "_", f"{stack_name}_{logical_id}".lower())
    if kind == "AWS::Glue::Table":  # its name as written (``events``), as Ref answers on AWS
        name = (resource.get("Properties", {}).get("TableInput") or {}).get("Name")
        return name if isinstance(name, str) else logical_id.lower()
    return f"{stack_name}-{logical_id}"[:64]


def local_lake(resources: dict[str, Any], stack_name: str, region: str, account_id: str) -> LocalLake:
    refs: dict[str, str] = {}
    attributes: dict[tuple[str, str], str] = {}
    streams: dict[str, dict[str, Any]] = {}
    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        if kind not in LAKE_TYPES:
            continue
        name = _local_name(stack_name, logical_id, resource)
        refs[logical_id] = name
        if kind == DELIVERY_STREAM:
            arn = f"arn:aws:firehose:{region}:{account_id}:deliverystream/{name}"
            attributes[(logical_id, "Arn")] = arn
            streams[logical_id] = resource.get("Properties", {})
        elif kind == "AWS::Athena::WorkGroup":
            attributes[(logical_id, "Arn")] = f"arn:aws:athena:{region}:{account_id}:workgroup/{name}"
    return LocalLake(refs, attributes, streams)


def bucket_of(arn_or_name: str) -> str:
    """``arn:aws:s3:::bucket`` (a BucketARN) -> ``bucket``."""
    return arn_or_name.rsplit(":", 1)[-1]
