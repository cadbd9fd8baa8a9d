"""What the bench's sections share: results and their rendering, small statistics, probes in fresh
interpreters, and the in-process runtime with what measures through it (the invocation log, signed
tokens, timed requests). Sections import from here and never from each other.

The runtime's modules (and soko's) are imported where they are used, not at module level: the
bench stays light to import. (Its worker processes do not import it: ``python -m
soko_local.bench`` runs ``soko_local.bench.__main__``, which multiprocessing's spawn start method
does not re-run in a child, so section 4 times workers as ``make dev`` starts them.)
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from soko.shared.auth import Role
    from soko_local.pool import InvokeResult
    from soko_local.runtime import LocalRuntime
    from soko_local.template import Authorizer, HttpApiDef

ROOT = Path(__file__).resolve().parents[3]  # the repository

TEMPLATE = ROOT / "template.yaml"

REGION = "us-east-1"

PARAMETERS = {"Stage": "local"}

ACCOUNT_ID = "123456789012"

GATEWAY_WARMUP = 20

MANY_FUNCTIONS = 6  # beyond this, the secondary figures take one run each (run time stays ~1 min)

WRITE_BATCH = 25  # batch_write_item's maximum

SAMPLE_BUDGET_S = 3.0  # a figure stops sampling after this long (with at least MIN_SAMPLES)

MIN_SAMPLES = 5


class BenchError(RuntimeError):
    pass


@dataclass
class Figure:
    label: str
    value: float | None  # None: could not be measured
    unit: str  # "s", "ms" or "MB"
    target: float | None = None  # an upper bound in the same unit; None: context only
    detail: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "n/a"
        if self.target is None:
            return ""
        return "PASS" if self.value <= self.target else "MISS"


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "µs":
        return f"{value:.0f} µs"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    return f"{value:.2f} {unit}"


def ms_list(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" if v >= 10 else f"{v:.1f}" for v in values) + " ms"


def render(sections: list[Section], elapsed_s: float) -> str:
    label_width = max((len(f.label) for s in sections for f in s.figures), default=20)
    lines = [
        "Soko local runtime: performance figures "
        f"(Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; measured in {elapsed_s:.0f} s)",
        "Figures, not tests: MISS marks a figure above its target; the exit status is always 0.",
    ]
    for section in sections:
        lines += ["", section.title, "-" * len(section.title)]
        lines.append(f"  {'':<{label_width}}  {'figure':>10}  {'target':>10}  result")
        for f in section.figures:
            target = f"<= {fmt(f.target, f.unit)}" if f.target is not None else ""
            row = f"  {f.label:<{label_width}}  {fmt(f.value, f.unit):>10}  {target:>10}  {f.verdict:<6}"
            lines.append(f"{row}  {f.detail}".rstrip())
        lines += [f"  * {note}" for note in section.notes]
    return "\n".join(lines)


def pk_sk_table(client: Any, name: str, gsi_projections: tuple[str, str]) -> None:
    """A table keyed ``pk``/``sk`` with indexes ``gsi1`` and ``gsi2`` (``<index>pk``/``<index>sk``),
    as Soko's domain tables are declared; ``gsi_projections``: each index's ProjectionType."""
    keys = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": f"{index}pk", "KeyType": "HASH"},
                    {"AttributeName": f"{index}sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": projection},
            }
            for index, projection in zip(("gsi1", "gsi2"), gsi_projections, strict=True)
        ],
    )


def in_process_moto_credentials() -> None:
    """The environment of a section that runs moto in this process (``mock_aws``): its fake keys and
    region, and no endpoint left over from a runtime section."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106  (moto's fake keys)
        AWS_DEFAULT_REGION="us-east-1",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def rss_mb(pid: int) -> float | None:
    """Resident set size from /proc (Linux); None elsewhere or when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


_IMPORT_PROBE = """\
import importlib, json, sys, time
sys.path.insert(0, sys.argv[1])
sys.stderr.write("--soko-bench-import--\\n"); sys.stderr.flush()
started = time.perf_counter()
module = importlib.import_module(sys.argv[2])
elapsed = (time.perf_counter() - started) * 1000
print(json.dumps({"ms": elapsed, "file": module.__file__}))
"""


def function_environment(**extra: str) -> dict[str, str]:
    """What a function sees at import time (without the Globals that need provisioned resources)."""
    from soko_local.runtime import FAKE_CREDENTIALS  # noqa: PLC0415

    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        **FAKE_CREDENTIALS,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "soko",
        "POWERTOOLS_METRICS_NAMESPACE": "Soko",
        **extra,
    }


def run_probe(
    code_dir: Path, module: str, env: dict[str, str], *flags: str, check_file: bool = True
) -> tuple[float, float, str]:
    """(import ms measured in the child, wall ms of the whole process, child's stderr).
    ``check_file``: fail unless ``module`` came from ``code_dir`` (off for a library baseline)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-P", *flags, "-c", _IMPORT_PROBE, str(code_dir), module],
        cwd=code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    wall_ms = ms_since(started)
    if done.returncode != 0:
        raise BenchError(f"importing {module} failed:\n{done.stderr[-2000:]}")
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    if check_file and not str(reply["file"]).startswith(str(code_dir)):
        raise BenchError(f"{module} was imported from {reply['file']}, not from {code_dir}")
    return float(reply["ms"]), wall_ms, done.stderr


@dataclass
class InvokeLog:
    """Every invocation the runtime makes (the gateway's included): its duration and, per
    function, the last event (so direct invocations can reuse exactly what the gateway sends);
    the batch records delivered per event source, and the failures."""

    calls: list[tuple[str, float]] = field(default_factory=list)  # (logical id, ms), pollers' too
    last_event: dict[str, Any] = field(default_factory=dict)
    records: Counter[str] = field(default_factory=Counter)  # eventSourceARN -> records delivered
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)  # (logical id, errorType)


def instrument(runtime: LocalRuntime) -> InvokeLog:
    log = InvokeLog()
    invoke = runtime.invoke

    def timed(logical_id: str, event: Any) -> InvokeResult:
        started = time.perf_counter()
        result = invoke(logical_id, event)
        log.calls.append((logical_id, ms_since(started)))
        log.last_event[logical_id] = event
        if isinstance(event, dict):
            for record in event.get("Records") or []:  # SQS and stream batches
                log.records[str(record.get("eventSourceARN"))] += 1
        if not result.ok:
            log.errors[(logical_id, str((result.error or {}).get("errorType")))] += 1
        return result

    runtime.invoke = timed  # type: ignore[method-assign]  # the gateway calls self.invoke
    return log


@dataclass(frozen=True)
class Bench:
    """What a section measured in the in-process runtime is given."""

    runtime: LocalRuntime
    log: InvokeLog
    start_s: float  # LocalRuntime.start() took this long


@contextlib.contextmanager
def running_runtime() -> Iterator[Bench]:
    from soko_local.runtime import LocalRuntime, RuntimeOptions  # noqa: PLC0415

    runtime = LocalRuntime(
        RuntimeOptions(
            template=TEMPLATE,
            port=0,
            watch=False,
            run_schedules=False,
            parameters={"Stage": "local"},
        )
    )
    log = instrument(runtime)
    started = time.perf_counter()
    try:
        runtime.start()
        yield Bench(runtime, log, time.perf_counter() - started)
    finally:
        runtime.stop()


def concrete_path(path: str) -> tuple[str, dict[str, str]]:
    """A request path for a route template, with a placeholder for each parameter."""
    if path == "$default":
        return "/", {}
    params: dict[str, str] = {}
    parts = []
    for segment in path.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            params[segment.strip("{}+")] = "bench"
            parts.append("bench")
        else:
            parts.append(segment)
    return "/".join(parts), params


def timed_invoke(runtime: LocalRuntime, logical_id: str, event: Any) -> tuple[float, InvokeResult]:
    started = time.perf_counter()
    result = runtime.invoke(logical_id, event)
    return ms_since(started), result


def worker_rss(logical_id: str) -> float | None:
    sizes = [
        rss
        for child in multiprocessing.active_children()
        if child.name == f"fn-{logical_id}" and child.pid and (rss := rss_mb(child.pid)) is not None
    ]
    return max(sizes) if sizes else None


@dataclass(frozen=True)
class Signer:
    """Signs access tokens with the runtime's JWT secret, as LoginFunction does."""

    secret: str
    issuer: str
    audience: str

    def token(self, user_id: str, role: Role, email: str) -> str:
        from soko.identity.tokens import issue_access_token  # noqa: PLC0415

        return issue_access_token(
            user_id=user_id,
            role=role,
            email=email,
            secret=self.secret,
            issuer=self.issuer,
            audience=self.audience,
        )


def authorizer_route(runtime: LocalRuntime) -> tuple[HttpApiDef, str, Authorizer]:
    """(API, route key, authorizer) of the first route behind a Lambda authorizer."""
    for api in runtime.app.http_apis:
        for method, path, _, name in api.routes:
            if name:
                return api, f"{method} {path}", api.authorizers[name]
    raise BenchError("no route of the template has a Lambda authorizer")


def route_function(runtime: LocalRuntime, route_key: str) -> str:
    for api in runtime.app.http_apis:
        for method, path, function, _ in api.routes:
            if f"{method} {path}" == route_key:
                return function
    raise BenchError(f"the template has no route {route_key}")


def runtime_signer(runtime: LocalRuntime) -> Signer:
    """The JWT secret from the embedded Secrets Manager; issuer and audience as the authorizer's."""
    arn = runtime.deployment.secrets["JwtSigningSecret"]
    secret = runtime.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    environment = runtime.deployment.functions[authorizer_route(runtime)[2].function].environment
    return Signer(
        str(secret), environment.get("JWT_ISSUER", "soko"), environment.get("JWT_AUDIENCE", "soko-api")
    )


def ulid() -> str:
    from soko.shared import ids  # noqa: PLC0415

    return ids.ulid()


@dataclass
class Samples:
    """Timed requests of one kind, split by whether they got the expected status."""

    expected: int
    planned: int
    ok_ms: list[float] = field(default_factory=list)
    failed_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    gave_up: bool = False  # stopped at the first server error
    last: requests.Response | None = None

    def add(self, ms: float, response: requests.Response) -> None:
        (self.ok_ms if response.status_code == self.expected else self.failed_ms).append(ms)
        self.statuses[response.status_code] += 1
        self.last = response

    @property
    def p50(self) -> float | None:
        return median(self.ok_ms) if self.ok_ms else None

    @property
    def cut_short(self) -> bool:
        return not self.gave_up and self.statuses.total() < self.planned

    def detail(self) -> str:
        wrong = {status: n for status, n in self.statuses.items() if status != self.expected}
        text = f"p95 {p95(self.ok_ms):.0f} ms, " if self.ok_ms else ""
        text += f"N={self.statuses.total()}; errors {sum(wrong.values())}"
        if wrong:
            listed = ", ".join(f"{n} x {status}" for status, n in sorted(wrong.items()))
            text += f" ({listed}, after {median(self.failed_ms) / 1000:.1f} s)"
        return text


def timed_request(
    session: requests.Session, method: str, url: str, **kwargs: Any
) -> tuple[float, requests.Response]:
    started = time.perf_counter()
    response = session.request(method, url, timeout=120, **kwargs)
    return ms_since(started), response


def sample(
    expected: int,
    runs: int,
    request: Callable[[], tuple[float, requests.Response]],
    *,
    budget_s: float | None = SAMPLE_BUDGET_S,
    give_up_on_5xx: bool = False,
) -> Samples:
    """``runs`` requests, or fewer (at least MIN_SAMPLES) once ``budget_s`` is spent."""
    samples = Samples(expected, runs)
    started = time.perf_counter()
    for n in range(1, runs + 1):
        ms, response = request()
        samples.add(ms, response)
        if give_up_on_5xx and response.status_code >= 500:
            samples.gave_up = True
            break
        if budget_s is not None and n >= MIN_SAMPLES and time.perf_counter() - started > budget_s:
            break
    return samples


def budget_note(samples: list[Samples]) -> list[str]:
    if not any(s.cut_short for s in samples):
        return []
    return [
        f"N below the planned count: a figure stops sampling after {SAMPLE_BUDGET_S:.0f} s (with at "
        f"least {MIN_SAMPLES} samples) to keep `make bench` short"
    ]


@contextlib.contextmanager
def aws_of(runtime: LocalRuntime) -> Iterator[None]:
    """Point soko's own boto3 clients (the ingest and training code run here) at the runtime's moto."""
    from soko.shared import aws  # noqa: PLC0415

    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update(
        AWS_ENDPOINT_URL=runtime.aws_endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106  (moto's fake keys)
    )
    aws.reset()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        aws.reset()


def failed(title: str, err: Exception) -> Section:
    """A section that could not be measured, saying why."""
    return Section(title, [Figure("not measured", None, "ms")], [f"ERROR {type(err).__name__}: {err}"])


def guarded(title: str, measure: Callable[[], Section]) -> Section:
    """Run a measurement; a failure becomes a section that says so (the others still run)."""
    try:
        return measure()
    except Exception as err:  # figures, not tests: report and go on
        return failed(title, err)
