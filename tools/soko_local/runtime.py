"""The local runtime: moto's server as the embedded AWS, everything the template declares
provisioned into it, and the pieces AWS would run around our functions (gateway, SQS pollers,
Step Functions' Lambda tasks, schedules), each function in warm worker processes."""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import requests
from werkzeug.serving import BaseWSGIServer, make_server

from soko_local import moto_patches, nested
from soko_local import schedules as schedule_expressions
from soko_local import timers as local_timers
from soko_local.payload import HttpResponse, gateway_error, map_response
from soko_local.pool import InvokeResult, WorkerPool
from soko_local.provision import Deployment, provision
from soko_local.sandbox import parameter_overrides
from soko_local.template import AppModel, EventSourceDef, FunctionUrlDef, ScheduleDef, load_app, load_yaml
from soko_local.websocket import start_websocket_gateways, websocket_environment
from soko_local.worker import WorkerSpec, compile_code

log = logging.getLogger("soko_local")
ACCOUNT_ID = "123456789012"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
_LOCAL_FUNCTIONS: dict[str, Any] = {}  # physical function name -> callable(event) -> InvokeResult
# Idle, the runtime waits rather than asks (an idle runtime asking moto over HTTP several times a
# second for 16 queues, 5 streams and the timers cost ~20% of a core, in every test session):
SQS_WAIT_SECONDS = 20  # SQS long polling (AWS's maximum): moto answers as soon as a message is sent
STREAM_IDLE_SECONDS = 10  # a stream is read when a record is published (moto_patches.changes), and
TIMERS_IDLE_SECONDS = 30  # timers when a schedule changes or one is due; these are safety nets
STOP_JOIN_SECONDS = 3  # stop() waits this long in all for its threads (a long poll is abandoned)


@dataclass
class RuntimeOptions:
    template: Path
    host: str = "127.0.0.1"
    port: int = 3000
    region: str = "us-east-1"
    stack_name: str = "soko-local"
    parameters: dict[str, str] = field(default_factory=lambda: {"Stage": "local"})
    secret_values: dict[str, str] = field(default_factory=dict)
    watch: bool = True
    run_schedules: bool = True
    max_workers: int = 24
    max_workers_per_function: int = 4
    extra_environment: dict[str, str] = field(default_factory=dict)


def _patch_step_functions_lambda() -> None:
    """Make moto's Step Functions interpreter run Lambda tasks on our workers, reporting errors
    by exception class name as the Lambda runtime does (so Retry/Catch on named errors work)."""
    from moto.awslambda.models import LambdaFunction  # noqa: PLC0415

    def invoke_local(self: Any, event: Any = None) -> tuple[str, bool, str]:
        run = _LOCAL_FUNCTIONS.get(self.function_name)
        if run is None:
            return (
                json.dumps({"errorType": "ResourceNotFoundException", "errorMessage": "no local code"}),
                True,
                "",
            )
        payload = json.loads(event) if isinstance(event, str | bytes) else (event or {})
        result: InvokeResult = run(payload)
        if result.ok:
            return json.dumps(result.payload), False, ""
        error = result.error or {}
        return (
            json.dumps({"errorType": error.get("errorType"), "errorMessage": error.get("errorMessage")}),
            True,
            "",
        )

    LambdaFunction._invoke_lambda = invoke_local  # type: ignore[method-assign]


class _LateApp:
    """The WSGI app the server is bound with before the gateway exists."""

    app: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.app(environ, start_response)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot serialise {type(value).__name__}")


class LocalRuntime:
    def __init__(self, options: RuntimeOptions):
        self.options = options
        self.region = options.region
        self.account_id = ACCOUNT_ID
        self.pool = WorkerPool(
            max_per_function=options.max_workers_per_function, max_total=options.max_workers
        )
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._http: BaseWSGIServer | None = None
        self._moto: Any = None
        self.app: AppModel
        self.deployment: Deployment
        self.specs: dict[str, WorkerSpec] = {}
        self.aws_endpoint = ""
        self.base_url = ""
        self._schedule_runs: dict[str, datetime] = {}
        self.parameters: dict[str, str] = {}
        self.websockets: list[Any] = []

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        started = time.perf_counter()
        self._start_moto()
        self._bind_http()  # first: the sandboxes' URLs (on this port) are template parameters
        document = load_yaml(self.options.template)
        declared = set(document.get("Parameters", {}))
        overrides = {k: v for k, v in parameter_overrides(self.base_url).items() if k in declared}
        self.parameters = {**overrides, **self.options.parameters}
        self.app = load_app(
            self.options.template,
            parameters=self.parameters,
            region=self.region,
            account_id=self.account_id,
            document=document,
        )
        self.deployment = provision(
            self.app,
            self.client,
            stack_name=self.options.stack_name,
            parameters=self.parameters,
            secret_values=self.options.secret_values,
        )
        self.websockets = start_websocket_gateways(self)  # before the specs: their URL is in the environment
        self.specs = {logical_id: self._spec(logical_id) for logical_id in self.app.functions}
        self._compile_code()
        for logical_id, spec in self.specs.items():
            _LOCAL_FUNCTIONS[spec.function_name] = lambda event, lid=logical_id: self.invoke(lid, event)
        self._start_http()
        for source in self.app.event_sources:
            if source.enabled:
                poll = self._poll_queue if source.kind == "sqs" else self._poll_stream
                self._thread(f"{source.kind}-{source.logical_id}", poll, source.logical_id)
        if self.options.run_schedules and self.app.schedules:
            self._thread("scheduler", self._scheduler)
        if self.deployment.schedule_groups:
            self._thread("timers", self._timers)
        if self.options.watch:
            self._thread("watcher", self._watch_code)
        self._thread("evictor", self._evict_idle)
        log.info("local runtime ready in %.1f s at %s", time.perf_counter() - started, self.base_url)

    def stop(self) -> None:
        self._stop.set()
        moto_patches.changes.wake_all()
        for gateway in self.websockets:
            gateway.stop()
        if self._http is not None:
            self._http.shutdown()
        self.pool.close()
        deadline = time.monotonic() + STOP_JOIN_SECONDS
        for thread in self._threads:  # daemons: a poller still in a long poll dies with the process
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self._moto is not None:
            self._moto.stop()
        for spec in self.specs.values():
            _LOCAL_FUNCTIONS.pop(spec.function_name, None)

    def wait(self) -> None:
        try:
            while not self._stop.wait(1):
                pass
        except KeyboardInterrupt:
            log.info("stopping")

    def _thread(self, name: str, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer  # noqa: PLC0415

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        os.environ.update(FAKE_CREDENTIALS)
        os.environ.setdefault("AWS_DEFAULT_REGION", self.region)
        self._moto = ThreadedMotoServer(ip_address=self.options.host, port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.aws_endpoint = f"http://{host}:{port}"
        os.environ["MOTO_PORT"] = str(port)  # moto's Step Functions interpreter calls back on this port
        requests.post(
            f"{self.aws_endpoint}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}},
            timeout=10,
        ).raise_for_status()
        _patch_step_functions_lambda()

    def _bind_http(self) -> None:
        self._wsgi = _LateApp()
        self._http = make_server(self.options.host, self.options.port, self._wsgi, threaded=True)
        self.base_url = f"http://{self.options.host}:{self._http.server_port}"

    def _start_http(self) -> None:
        from soko_local.gateway import Gateway  # noqa: PLC0415

        self.gateway = Gateway(self)
        self._wsgi.app = self.gateway
        assert self._http is not None
        self._thread("http", self._http.serve_forever, 0.1)

    def _compile_code(self) -> None:
        for directory in sorted({str(f.code_dir) for f in self.app.functions.values()}):
            compile_code(directory)

    @functools.cache  # noqa: B019  (one client per service for the runtime's life; clients are thread-safe)
    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.aws_endpoint,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106  (moto's fake keys)
        )

    def _spec(self, logical_id: str) -> WorkerSpec:
        config = self.deployment.functions[logical_id]
        code_dir = str(self.app.functions[logical_id].code_dir)
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": "UTC",
            "PYTHONUNBUFFERED": "1",
            **FAKE_CREDENTIALS,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_LAMBDA_FUNCTION_NAME": config.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.name}",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "LAMBDA_TASK_ROOT": code_dir,
            "_HANDLER": config.handler,
            "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon locally
            **config.environment,
            **websocket_environment(self.websockets),
            **self.options.extra_environment,
        }
        return WorkerSpec(
            logical_id=logical_id,
            function_name=config.name,
            handler=config.handler,
            code_dir=code_dir,
            environment=environment,
            timeout_seconds=config.timeout,
            memory_mb=config.memory,
            region=self.region,
            account_id=self.account_id,
        )

    # ------------------------------------------------------------------ invoking
    def invoke(self, logical_id: str, event: Any) -> InvokeResult:
        result = self.pool.invoke(self.specs[logical_id], event)
        if not result.ok:
            error = result.error or {}
            log.warning("%s failed: %s: %s", logical_id, error.get("errorType"), error.get("errorMessage"))
        return result

    def invoke_http(self, logical_id: str, event: dict[str, Any]) -> HttpResponse:
        if len(json.dumps(event)) > 6 * 1024 * 1024:
            return gateway_error(413, "Request Entity Too Large")
        result = self.invoke(logical_id, event)
        if not result.ok:
            return gateway_error(500, "Internal Server Error")
        return map_response(result.payload)

    def function_url(self, function_logical_id: str) -> FunctionUrlDef | None:
        return next((u for u in self.app.function_urls if u.function == function_logical_id), None)

    # ------------------------------------------------------------------ SQS -> Lambda
    def _poll_queue(self, source_id: str) -> None:
        source = next(s for s in self.app.event_sources if s.logical_id == source_id)
        sqs = self.client("sqs")
        url = self.deployment.physical[source.queue]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        while not self._stop.is_set():
            try:
                self._poll_once(sqs, url, arn, source)
            except Exception:
                if not self._stop.is_set():
                    log.exception("polling %s failed", source.queue)
                    time.sleep(1)

    def _poll_once(self, sqs: Any, url: str, arn: str, source: EventSourceDef) -> int:
        messages = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(source.batch_size, 10),
            WaitTimeSeconds=SQS_WAIT_SECONDS,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": self.region,
            }
            for m in messages
        ]
        result = self.invoke(source.function, {"Records": records})
        if not result.ok:
            return 0  # the whole batch becomes visible again after the visibility timeout
        failed: set[str] = set()
        if source.report_batch_item_failures and isinstance(result.payload, dict):
            items = result.payload.get("batchItemFailures") or []
            failed = {str(item.get("itemIdentifier")) for item in items if isinstance(item, dict)}
            if any(not ident or ident == "None" for ident in failed):
                return 0  # an invalid failure report fails the whole batch, as on AWS
        done = [r for r in records if r["messageId"] not in failed]
        for start in range(0, len(done), 10):
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                    for i, r in enumerate(done[start : start + 10])
                ],
            )
        return len(done)

    # ------------------------------------------------------------------ DynamoDB streams -> Lambda
    def _poll_stream(self, source_id: str) -> None:
        """Read the table's stream whenever moto publishes a record to it (and every
        STREAM_IDLE_SECONDS regardless), batch after batch while records keep coming."""
        source = next(s for s in self.app.event_sources if s.logical_id == source_id)
        table = self.deployment.physical[source.queue]
        stream_arn = self.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
        streams = self.client("dynamodbstreams")
        shard_iterators: dict[str, str] = {}
        key = f"stream:{table}"
        seen = moto_patches.changes.count(key) - 1  # read once at start
        while not self._stop.is_set():
            current = moto_patches.changes.count(key)  # noted before reading: no record is missed
            more = False
            if current != seen:
                try:
                    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
                        shard_id = shard["ShardId"]
                        if shard_id not in shard_iterators:
                            shard_iterators[shard_id] = streams.get_shard_iterator(
                                StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                            )["ShardIterator"]
                        shard_iterators[shard_id], got = self._drain_shard(
                            streams, shard_iterators[shard_id], stream_arn, source
                        )
                        more = more or got
                    seen = current
                except Exception:
                    if not self._stop.is_set():
                        log.exception("polling the stream of %s failed", source.queue)
                    self._stop.wait(0.5)
                    continue
            if more:
                seen = current - 1  # a full batch: read the next one at once
                continue
            if moto_patches.changes.wait(key, seen, STREAM_IDLE_SECONDS) == seen:
                seen -= 1  # the safety net's read

    def _drain_shard(
        self, streams: Any, iterator: str, stream_arn: str, source: EventSourceDef
    ) -> tuple[str, bool]:
        """Deliver one batch; the next iterator, and whether the batch was full (more may wait)."""
        response = streams.get_records(ShardIterator=iterator, Limit=source.batch_size)
        # As Lambda delivers them: JSON (epoch seconds for times, base64 for binary values).
        raw = json.dumps(response.get("Records", []), default=_json_default)
        records = [{**r, "eventSourceARN": stream_arn} for r in json.loads(raw)]
        attempts = 0
        while records and not self._stop.is_set():
            result = self.invoke(source.function, {"Records": records})
            failed_from = self._first_failure(result, records, source)
            if failed_from is None:
                break
            attempts += 1
            if 0 <= source.max_retry_attempts < attempts:
                self._stream_failure(source, records[failed_from:], result)
                break
            records = records[failed_from:]  # in order: retry from the first failed record
            self._stop.wait(min(0.2 * 2**attempts, 5))
        full = len(response.get("Records", [])) >= source.batch_size
        return str(response.get("NextShardIterator") or iterator), full

    @staticmethod
    def _first_failure(
        result: InvokeResult, records: list[dict[str, Any]], source: EventSourceDef
    ) -> int | None:
        if not result.ok:
            return 0
        if not source.report_batch_item_failures or not isinstance(result.payload, dict):
            return None
        failed = {str(f.get("itemIdentifier")) for f in result.payload.get("batchItemFailures") or []}
        positions = [i for i, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] in failed]
        return min(positions) if positions else None

    def _stream_failure(
        self, source: EventSourceDef, records: list[dict[str, Any]], result: InvokeResult
    ) -> None:
        log.error("%s: giving up on %d stream records after retries", source.logical_id, len(records))
        if source.on_failure:
            self.client("sqs").send_message(
                QueueUrl=self.deployment.physical[source.on_failure],
                MessageBody=json.dumps(
                    {
                        "requestContext": {
                            "condition": "RetryAttemptsExhausted",
                            "functionArn": source.function,
                        },
                        "responseContext": {"functionError": (result.error or {}).get("errorType")},
                        "DDBStreamBatchInfo": {
                            "shardId": "local",
                            "streamArn": records[0]["eventSourceARN"],
                            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                            "batchSize": len(records),
                        },
                    }
                ),
            )

    # ------------------------------------------------------------------ schedules
    def _schedule_event(self, schedule: ScheduleDef) -> Any:
        if schedule.input:
            return json.loads(schedule.input)
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.account_id,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": [f"arn:aws:events:{self.region}:{self.account_id}:rule/{schedule.logical_id}"],
            "detail": {},
        }

    def fire(self, schedule: ScheduleDef) -> dict[str, Any]:
        self._schedule_runs[schedule.logical_id] = datetime.now(UTC)
        event = self._schedule_event(schedule)
        if schedule.target_kind == "function":
            result = self.invoke(schedule.target, event)
            return {
                "schedule": schedule.logical_id,
                "target": schedule.target,
                "ok": result.ok,
                "result": result.payload,
                "error": result.error
                and {k: result.error[k] for k in ("errorType", "errorMessage") if k in result.error},
            }
        execution = self.client("stepfunctions").start_execution(
            stateMachineArn=self.deployment.state_machines[schedule.target],
            name=f"{schedule.logical_id}-{uuid.uuid4().hex[:12]}",
            input=json.dumps(event),
        )
        return {
            "schedule": schedule.logical_id,
            "target": schedule.target,
            "ok": True,
            "execution_arn": execution["executionArn"],
        }

    def run_schedule_now(self, name: str) -> tuple[dict[str, Any], int]:
        schedule = next((s for s in self.app.schedules if s.logical_id == name), None)
        if schedule is None:
            known = sorted(s.logical_id for s in self.app.schedules)
            return {"error": f"no schedule named {name!r}", "schedules": known}, 404
        return self.fire(schedule), 200

    def _scheduler(self) -> None:
        parsed = {
            s.logical_id: (s, schedule_expressions.parse(s.expression))
            for s in self.app.schedules
            if s.enabled
        }
        while not self._stop.wait(60 - datetime.now(UTC).second):
            now = datetime.now(UTC).replace(second=0, microsecond=0)
            for name, (schedule, expression) in parsed.items():
                if expression.due(now, self._schedule_runs.get(name)):
                    self._thread(f"schedule-{name}", self.fire, schedule)

    def _timers(self) -> None:
        """One-time timers (EventBridge Scheduler ``at(...)`` schedules) fire within a second of
        their time: the loop sleeps until the next one is due, or a schedule is created, changed
        or deleted (moto_patches.changes), or TIMERS_IDLE_SECONDS pass."""
        groups = list(self.deployment.schedule_groups.values())
        seen: dict[tuple[str, str], Any] = {}  # each schedule read once, not every tick
        while not self._stop.is_set():
            version = moto_patches.changes.count("schedules")  # noted before reading
            wait = TIMERS_IDLE_SECONDS
            try:
                for fired in local_timers.fire_due(self.client, groups, seen=seen):
                    log.info("timer %s fired (due %s)", fired.name, fired.due.isoformat())
                now = datetime.now(UTC)
                dues = [due for due, _target in seen.values() if due is not None]
                if dues:  # schedules are to the second: wake just after the next one's
                    wait = min(wait, max(0.05, (min(dues) - now).total_seconds() + 0.05))
            except Exception:  # keep firing the others; the next tick retries
                log.exception("firing timers failed")
                wait = 1
            moto_patches.changes.wait("schedules", version, wait)

    # ------------------------------------------------------------------ housekeeping
    def _code_fingerprint(self) -> float:
        newest = 0.0
        for directory in {f.code_dir for f in self.app.functions.values()}:
            for path in directory.rglob("*.py"):
                try:
                    newest = max(newest, path.stat().st_mtime)
                except FileNotFoundError:
                    continue
        return newest

    def _watch_code(self) -> None:
        seen = self._code_fingerprint()
        templates = [
            s.path for s in nested.stacks(load_yaml(self.options.template), self.options.template, load_yaml)
        ]
        templates_seen = {path: path.stat().st_mtime for path in templates}
        while not self._stop.wait(1):
            current = self._code_fingerprint()
            if current != seen:
                seen = current
                self._compile_code()
                self.pool.code_changed()
                log.info("code changed: functions will start on the new code at their next invocation")
            for path, mtime in templates_seen.items():
                if path.stat().st_mtime != mtime:
                    templates_seen[path] = path.stat().st_mtime
                    log.warning("%s changed: restart `make dev` to provision the new resources", path.name)

    def _evict_idle(self) -> None:
        while not self._stop.wait(30):
            self.pool.evict_idle()

    # ------------------------------------------------------------------ introspection
    def _url_token_query(self, logical_id: str) -> str:
        """``?token=...`` for a function URL whose function checks a secret token in its URL (it
        names the secret in URL_TOKEN_SECRET_ARN); '' for any other."""
        arn = self.deployment.functions[logical_id].environment.get("URL_TOKEN_SECRET_ARN")
        if not arn:
            return ""
        token = self.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
        return "?" + urllib.parse.urlencode({"token": token})

    def endpoints(self) -> dict[str, Any]:
        return {
            "http_api": self.base_url,
            "docs": f"{self.base_url}/docs",
            "openapi": f"{self.base_url}/openapi.json",
            "function_urls": {
                url.function: f"{self.base_url}/_fn/{url.function}/{self._url_token_query(url.function)}"
                for url in self.app.function_urls
            },
            "websocket": {
                g.api.logical_id: {"url": g.url, "connections": g.management_url} for g in self.websockets
            }
            or None,
            "aws_endpoint": self.aws_endpoint,
            "region": self.region,
            "stack_name": self.options.stack_name,
            "outputs": self.deployment.outputs,
            "queues": {
                s.queue: self.deployment.physical[s.queue] for s in self.app.event_sources if s.kind == "sqs"
            },
            "state_machines": self.deployment.state_machines,
            "schedules": {s.logical_id: s.expression for s in self.app.schedules},
            "workers": self.pool.stats(),
        }
