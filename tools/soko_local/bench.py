"""``python -m soko_local.bench`` (``make bench``): performance figures of the local runtime and of
the functions' cold starts, each printed next to its target. Figures, not tests: always exits 0.

1. start-up of ``python -m soko_local dev`` to the first 200 from ``GET /health``;
2. the local gateway's overhead per request (HTTP round trip minus the function's invocation);
3. cold import of every function's handler module in a fresh interpreter;
4. a worker's cold start (first invocation on a new worker process) against warm invocations;
5. identity: access-token verification (in-process and the authorizer warm), argon2id, sign-in;
6. marketplace: browse and place-order through the gateway with 10,000 listings in the table.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import logging
import math
import multiprocessing
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter

if TYPE_CHECKING:
    from soko.shared.auth import Role
    from soko.shared.identity import Caller
    from soko_local.pool import InvokeResult
    from soko_local.runtime import LocalRuntime
    from soko_local.template import AppModel, Authorizer, HttpApiDef

# The runtime's modules are imported where they are used, not here: every worker process the
# in-process runtime spawns re-imports this module (multiprocessing's spawn start method runs the
# main module again), and it must stay as light as `soko_local.__main__` is for `make dev`'s
# workers, or section 4 would time workers that find boto3 & co. already imported.

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
REGION = "us-east-1"
PARAMETERS = {"Stage": "local"}
ACCOUNT_ID = "123456789012"

STARTUP_RUNS = 3
STARTUP_TARGET_S = 10.0
STARTUP_TIMEOUT_S = 60.0
GATEWAY_REQUESTS = 200
GATEWAY_WARMUP = 20
GATEWAY_TARGET_MS = 5.0
IMPORT_RUNS = 5
IMPORT_SOURCE_RUNS = 3
IMPORT_TARGET_MS = 400.0
COLD_START_RUNS = 3
MANY_FUNCTIONS = 6  # beyond this, the secondary figures take one run each (run time stays ~1 min)
WARM_RUNS = 20
POLL_SECONDS = 0.005

TOKEN_RUNS = 2000
TOKEN_WARMUP = 100
TOKEN_TARGET_US = 2000.0
AUTHORIZER_RUNS = 200
AUTHORIZER_TARGET_MS = 2.0
ARGON2_RUNS = 10
LOGIN_RUNS = 20
LOGIN_FUNCTION = "LoginFunction"
PASSWORD_FUNCTIONS = ("LoginFunction", "RegisterFunction", "PasswordResetFunction")  # they run argon2id
BENCH_PASSWORD = "Bench-sign-in-2026!"  # noqa: S105  (throwaway accounts in the bench's own runtime)

LISTINGS_FIRST = 1_000  # browse and orders are measured here first, to show how they scale
LISTINGS_TOTAL = 10_000
WRITE_BATCH = 25  # batch_write_item's maximum
CROPS = ("maize", "beans", "matoke", "cassava", "sorghum", "millet", "tomatoes", "irish potatoes")
DISTRICTS = tuple("Gulu Lira Masaka Mbarara Mbale Mukono Soroti Kabale Arua Hoima Jinja Kasese".split())
GRADES = ("Dry", "Fresh", "Grade A", "Sorted", "Clean", "Organic")
FARMERS = 200
PRICES_UGX = (300, 6000)
STOCK_KG = (200, 5000)
BROWSE_RUNS = 30
BROWSE_RUNS_FIRST = 5
ORDER_RUNS = 30
ORDER_RUNS_FIRST = 10
ORDER_KG = "1"
ORDERS_PER_BUYER = 15  # below the hourly limit (MarketConfig.orders_per_buyer_per_hour, 20)
SAMPLE_BUDGET_S = 3.0  # a figure stops sampling after this long (with at least MIN_SAMPLES)
MIN_SAMPLES = 5
STREAM_WAIT_S = (25.0, 5.0)  # at most, after each load: the second is not drained in minutes
SCALING_NOTE_RATIO = 1.5  # browse this much slower at 10,000 than at 1,000: say why


class BenchError(RuntimeError):
    pass


# ---------------------------------------------------------------------------- results and printing
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


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "µs":
        return f"{value:.0f} µs"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    return f"{value:.2f} {unit}"


def _ms_list(values: list[float]) -> str:
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
            target = f"<= {_fmt(f.target, f.unit)}" if f.target is not None else ""
            row = f"  {f.label:<{label_width}}  {_fmt(f.value, f.unit):>10}  {target:>10}  {f.verdict:<6}"
            lines.append(f"{row}  {f.detail}".rstrip())
        lines += [f"  * {note}" for note in section.notes]
    return "\n".join(lines)


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


# ---------------------------------------------------------------------------- processes and memory
def _rss_mb(pid: int) -> float | None:
    """Resident set size from /proc (Linux); None elsewhere or when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _spawned_children(pid: int) -> list[int]:
    """Pids of the multiprocessing (spawn) workers whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def _stop_process(process: subprocess.Popen[bytes]) -> tuple[float, str]:
    """Ctrl-C (SIGINT), as a developer stops ``make dev``; escalate if it does not exit."""
    if process.poll() is not None:
        return 0.0, f"had already exited ({process.returncode})"
    started = time.perf_counter()
    how = "SIGINT"
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        how = "SIGTERM (SIGINT ignored for 15 s)"
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            how = "SIGKILL (SIGINT and SIGTERM ignored)"
            process.kill()
            process.wait()
    return time.perf_counter() - started, f"{how}, exit status {process.returncode}"


# ---------------------------------------------------------------------------- 1. start-up
@dataclass
class _StartRun:
    ready_s: float  # spawn -> ready file written (runtime serving)
    healthy_s: float  # spawn -> first 200 from GET /health (includes the function's cold start)
    shutdown_s: float
    stopped: str
    runtime_rss_mb: float | None
    worker_rss_mb: list[float]


def _log_tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def _wait_ready_file(process: subprocess.Popen[bytes], ready: Path, log: Path, deadline: float) -> str:
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise BenchError(f"`soko_local dev` exited with {process.returncode}:\n{_log_tail(log)}")
        if ready.exists():
            with contextlib.suppress(ValueError, KeyError):  # still being written
                return str(json.loads(ready.read_text())["http_api"])
        time.sleep(POLL_SECONDS)
    raise BenchError(f"no ready file after {STARTUP_TIMEOUT_S:.0f} s:\n{_log_tail(log)}")


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path, deadline: float) -> None:
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise BenchError(f"`soko_local dev` exited with {process.returncode}:\n{_log_tail(log)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=10).status_code == 200:
                return
        time.sleep(POLL_SECONDS)
    raise BenchError(f"GET {url} never returned 200:\n{_log_tail(log)}")


def _start_once(workdir: Path, run: int) -> _StartRun:
    ready, log_path = workdir / f"endpoints-{run}.json", workdir / f"dev-{run}.log"
    args = ["dev", "--port", "0", "--ready-file", str(ready), "--no-watch"]
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "soko_local", *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = started + STARTUP_TIMEOUT_S
            base_url = _wait_ready_file(process, ready, log_path, deadline)
            ready_s = time.perf_counter() - started
            _wait_healthy(process, f"{base_url}/health", log_path, deadline)
            healthy_s = time.perf_counter() - started
            runtime_rss = _rss_mb(process.pid)
            workers = [rss for pid in _spawned_children(process.pid) if (rss := _rss_mb(pid)) is not None]
        finally:
            shutdown_s, stopped = _stop_process(process)
    return _StartRun(ready_s, healthy_s, shutdown_s, stopped, runtime_rss, workers)


def measure_startup() -> Section:
    section = Section(
        "1. Start-up: spawn `python -m soko_local dev --port 0 --no-watch` -> first 200 /health"
    )
    with tempfile.TemporaryDirectory(prefix="soko-bench-") as tmp:
        runs = []
        for run in range(STARTUP_RUNS):
            _progress(f"start-up run {run + 1}/{STARTUP_RUNS}")
            runs.append(_start_once(Path(tmp), run))
    healthy = [r.healthy_s for r in runs]
    last = runs[-1]
    section.figures += [
        Figure(
            f"spawn -> first 200 GET /health (median of {len(runs)})",
            _median(healthy),
            "s",
            STARTUP_TARGET_S,
            "runs " + ", ".join(f"{v:.2f}" for v in healthy) + " s",
        ),
        Figure("spawn -> serving (ready file written)", _median([r.ready_s for r in runs]), "s"),
        Figure(
            "serving -> first 200 (HealthFunction's cold start)",
            _median([(r.healthy_s - r.ready_s) * 1000 for r in runs]),
            "ms",
        ),
        Figure(
            "shutdown after Ctrl-C (SIGINT)", _median([r.shutdown_s for r in runs]), "s", None, last.stopped
        ),
        Figure("RSS of the runtime process (moto + gateway)", last.runtime_rss_mb, "MB"),
        Figure(
            "RSS of its workers after /health",
            sum(last.worker_rss_mb) if last.worker_rss_mb else None,
            "MB",
            None,
            f"{len(last.worker_rss_mb)} worker process(es)",
        ),
    ]
    section.notes.append(
        "'serving' is when the runtime writes --ready-file; the first 200 then needs HealthFunction's "
        "cold start (worker spawn, handler import, first DynamoDB/EventBridge calls to moto)"
    )
    return section


# ---------------------------------------------------------------------------- 3. cold imports
_IMPORT_PROBE = """\
import importlib, json, sys, time
sys.path.insert(0, sys.argv[1])
sys.stderr.write("--soko-bench-import--\\n"); sys.stderr.flush()
started = time.perf_counter()
module = importlib.import_module(sys.argv[2])
elapsed = (time.perf_counter() - started) * 1000
print(json.dumps({"ms": elapsed, "file": module.__file__}))
"""


_WARM_UP = """\
import importlib, sys
sys.path.insert(0, sys.argv[1])
for name in sys.argv[2:]:
    importlib.import_module(name)
"""


def _function_environment(**extra: str) -> dict[str, str]:
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


def _run_probe(code_dir: Path, module: str, env: dict[str, str], *flags: str) -> tuple[float, float, str]:
    """(import ms measured in the child, wall ms of the whole process, child's stderr)."""
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
    wall_ms = _ms_since(started)
    if done.returncode != 0:
        raise BenchError(f"importing {module} failed:\n{done.stderr[-2000:]}")
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    if not str(reply["file"]).startswith(str(code_dir)):
        raise BenchError(f"{module} was imported from {reply['file']}, not from {code_dir}")
    return float(reply["ms"]), wall_ms, done.stderr


def _bare_startup_ms(env: dict[str, str]) -> list[float]:
    runs = []
    for _ in range(IMPORT_RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-P", "-c", "pass"], env=env, check=True, timeout=30)
        runs.append(_ms_since(started))
    return runs


def _import_profile(stderr: str, top: int = 5) -> str:
    """Self time per top-level package from ``-X importtime``, after the probe's marker."""
    _, _, after = stderr.partition("--soko-bench-import--")
    by_package: dict[str, int] = {}
    for line in after.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        package = name.split(".")[0]
        by_package[package] = by_package.get(package, 0) + int(self_us)
    ranked = sorted(by_package.items(), key=lambda item: item[1], reverse=True)[:top]
    return ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in ranked)


def _handlers(app: AppModel) -> dict[str, tuple[Path, str]]:
    """logical id -> (code directory, handler module), from the translated template."""
    found = {}
    for logical_id, function in sorted(app.functions.items()):
        handler = str(app.cfn["Resources"][logical_id]["Properties"]["Handler"])
        found[logical_id] = (function.code_dir, handler.rpartition(".")[0].replace("/", "."))
    return found


def _warm_up(handlers: dict[str, tuple[Path, str]], env: dict[str, str]) -> None:
    """Import every handler module once, unmeasured, so that __pycache__ holds their .pyc."""
    by_dir: dict[Path, list[str]] = {}
    for code_dir, module in handlers.values():
        by_dir.setdefault(code_dir, []).append(module)
    for code_dir, modules in by_dir.items():
        done = subprocess.run(
            [sys.executable, "-P", "-c", _WARM_UP, str(code_dir), *modules],
            cwd=code_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise BenchError(f"importing the handlers failed:\n{done.stderr[-2000:]}")


@dataclass
class _Import:
    logical_id: str
    module: str
    code_dir: Path
    import_ms: list[float]  # .pyc cached
    wall_ms: list[float]  # the whole process, start-up included
    own_source_ms: list[float]  # functions/app without .pyc, everything else cached


def _measure_one_import(
    logical_id: str, code_dir: Path, module: str, source_dir: Path, source_runs: int
) -> _Import:
    env = _function_environment()
    cached = [_run_probe(code_dir, module, env) for _ in range(IMPORT_RUNS)]
    no_write = _function_environment(PYTHONDONTWRITEBYTECODE="1")
    own_source = [_run_probe(source_dir, module, no_write)[0] for _ in range(source_runs)]
    return _Import(logical_id, module, code_dir, [c[0] for c in cached], [c[1] for c in cached], own_source)


def _import_figure(result: _Import) -> Figure:
    return Figure(
        f"{result.logical_id} ({result.module})",
        _median(result.import_ms),
        "ms",
        IMPORT_TARGET_MS,
        f"max {max(result.import_ms):.0f}; without .pyc for functions/app "
        f"{_median(result.own_source_ms):.0f}; process wall {_median(result.wall_ms):.0f} ms",
    )


def _slowest_details(slowest: list[_Import], source_dirs: dict[Path, Path], scratch: Path) -> Section:
    """For the slowest imports: where the time goes, and the import with no .pyc anywhere."""
    details = Section("")
    env = _function_environment()
    worst = slowest[0]
    everything = _function_environment(
        PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=str(scratch / "empty-pycache-prefix")
    )
    all_source = [
        _run_probe(source_dirs[worst.code_dir], worst.module, everything)[0]
        for _ in range(IMPORT_SOURCE_RUNS)
    ]
    details.figures.append(
        Figure(
            f"{worst.logical_id}, no .pyc at all (stdlib and deps too)",
            _median(all_source),
            "ms",
            None,
            f"max {max(all_source):.0f} ms (median of {IMPORT_SOURCE_RUNS}); what a worker without a "
            "bytecode cache pays",
        )
    )
    for result in slowest:
        stderr = _run_probe(result.code_dir, result.module, env, "-X", "importtime")[2]
        details.notes.append(
            f"{result.logical_id}, where the import time goes: {_import_profile(stderr) or '-'}"
        )
    return details


def measure_imports() -> Section:
    from soko_local.template import load_app  # noqa: PLC0415

    section = Section(
        f"3. Cold import of each function's handler module (fresh interpreter, median of {IMPORT_RUNS})"
    )
    app = load_app(TEMPLATE, parameters=PARAMETERS, region=REGION, account_id=ACCOUNT_ID)
    handlers = _handlers(app)
    env = _function_environment()
    bare = _bare_startup_ms(env)
    section.figures.append(
        Figure("bare interpreter start-up (python -P -c pass)", _median(bare), "ms", None, _ms_list(bare))
    )
    source_runs = IMPORT_SOURCE_RUNS if len(handlers) <= MANY_FUNCTIONS else 1
    _warm_up(handlers, env)
    with tempfile.TemporaryDirectory(prefix="soko-bench-") as tmp:
        source_dirs: dict[Path, Path] = {}  # code dir -> a copy without __pycache__
        for code_dir, _ in handlers.values():
            if code_dir not in source_dirs:
                source_dirs[code_dir] = Path(tmp) / f"code-{len(source_dirs)}"
                shutil.copytree(code_dir, source_dirs[code_dir], ignore=shutil.ignore_patterns("__pycache__"))
        results = []
        for logical_id, (code_dir, module) in handlers.items():
            _progress(f"cold import of {module} ({logical_id})")
            results.append(
                _measure_one_import(logical_id, code_dir, module, source_dirs[code_dir], source_runs)
            )
        section.figures += [_import_figure(r) for r in results]
        slowest = sorted(results, key=lambda r: _median(r.import_ms), reverse=True)[:3]
        details = _slowest_details(slowest, source_dirs, Path(tmp))
    section.figures += details.figures
    section.notes += [
        "import time is measured inside the child (perf_counter around importlib.import_module) with "
        "the code directory first on sys.path, POWERTOOLS_TRACE_DISABLED=true, fake AWS credentials; "
        "the verdict is on the median with .pyc cached (max and the other figures in the details)",
        "with .pyc cached: one unmeasured warm-up run imports every handler first and writes "
        "__pycache__. A Lambda package holds .pyc only if the build compiles them (`sam build` copies "
        "functions/app as .py), so 'without .pyc for functions/app' "
        f"(median of {source_runs}) is closer to a first cold start on AWS",
        *details.notes,
        "'where the import time goes': self time by top-level package from one `-X importtime` run "
        "(the flag adds overhead of its own)",
    ]
    return section


# ---------------------------------------------------------------------------- the in-process runtime
@dataclass
class _InvokeLog:
    """Every invocation the runtime makes (the gateway's included): its duration and, per
    function, the last event (so direct invocations can reuse exactly what the gateway sends);
    the batch records delivered per event source, and the failures."""

    calls: list[tuple[str, float]] = field(default_factory=list)  # (logical id, ms), pollers' too
    last_event: dict[str, Any] = field(default_factory=dict)
    records: Counter[str] = field(default_factory=Counter)  # eventSourceARN -> records delivered
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)  # (logical id, errorType)


def _instrument(runtime: LocalRuntime) -> _InvokeLog:
    log = _InvokeLog()
    invoke = runtime.invoke

    def timed(logical_id: str, event: Any) -> InvokeResult:
        started = time.perf_counter()
        result = invoke(logical_id, event)
        log.calls.append((logical_id, _ms_since(started)))
        log.last_event[logical_id] = event
        if isinstance(event, dict):
            for record in event.get("Records") or []:  # SQS and stream batches
                log.records[str(record.get("eventSourceARN"))] += 1
        if not result.ok:
            log.errors[(logical_id, str((result.error or {}).get("errorType")))] += 1
        return result

    runtime.invoke = timed  # type: ignore[method-assign]  # the gateway calls self.invoke
    return log


@contextlib.contextmanager
def _running_runtime() -> Iterator[tuple[LocalRuntime, _InvokeLog, float]]:
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
    log = _instrument(runtime)
    started = time.perf_counter()
    try:
        runtime.start()
        yield runtime, log, time.perf_counter() - started
    finally:
        runtime.stop()


# ---------------------------------------------------------------------------- 4. worker cold start
def _concrete_path(path: str) -> tuple[str, dict[str, str]]:
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


def _api_event(runtime: LocalRuntime, api: HttpApiDef, logical_id: str) -> dict[str, Any] | None:
    from soko_local.payload import IncomingRequest, authorizer_event, http_event  # noqa: PLC0415

    host = runtime.base_url.removeprefix("http://")
    for method, path, function, _ in api.routes:
        if function == logical_id:
            concrete, params = _concrete_path(path)
            verb = "GET" if method == "ANY" else method
            request = IncomingRequest(verb, concrete, "", [("host", host)], b"", "127.0.0.1", host)
            route_key = "$default" if path == "$default" else f"{method} {path}"
            return http_event(
                request,
                route_key=route_key,
                path_parameters=params,
                api_id=api.logical_id.lower(),
                account_id=runtime.account_id,
            )
    if any(a.function == logical_id for a in api.authorizers.values()):
        request = IncomingRequest("GET", "/", "", [("host", host)], b"", "127.0.0.1", host)
        return authorizer_event(
            request,
            route_key="GET /",
            path_parameters={},
            api_id=api.logical_id.lower(),
            account_id=runtime.account_id,
            region=runtime.region,
            identity_source=[],  # no token: the authorizer denies without touching AWS
        )
    return None


def _sample_event(runtime: LocalRuntime, logical_id: str) -> Any:
    """An event of the kind the function receives (HTTP route, authorizer, SQS batch)."""
    for api in runtime.app.http_apis:
        event = _api_event(runtime, api, logical_id)
        if event is not None:
            return event
    if any(source.function == logical_id for source in runtime.app.event_sources):
        return {"Records": []}
    return {}


def _timed_invoke(runtime: LocalRuntime, logical_id: str, event: Any) -> tuple[float, InvokeResult]:
    started = time.perf_counter()
    result = runtime.invoke(logical_id, event)
    return _ms_since(started), result


def _worker_rss(logical_id: str) -> float | None:
    sizes = [
        rss
        for child in multiprocessing.active_children()
        if child.name == f"fn-{logical_id}" and child.pid and (rss := _rss_mb(child.pid)) is not None
    ]
    return max(sizes) if sizes else None


def _cold_start_figures(runtime: LocalRuntime, logical_id: str, runs: int) -> list[Figure]:
    event = _sample_event(runtime, logical_id)
    cold: list[tuple[float, InvokeResult]] = []
    for _ in range(runs):
        runtime.pool.code_changed()  # retire the warm workers: the next invocation starts a new one
        cold.append(_timed_invoke(runtime, logical_id, event))
    warm = [_timed_invoke(runtime, logical_id, event) for _ in range(WARM_RUNS)]
    cold_wall = [wall for wall, _ in cold]
    init = [result.init_ms or 0.0 for _, result in cold]
    first_run = [result.duration_ms for _, result in cold]
    spawn = [wall - i - d for wall, i, d in zip(cold_wall, init, first_run, strict=True)]
    outcome = "ok" if all(r.ok for _, r in cold + warm) else "errors (see log above)"
    return [
        Figure(
            f"{logical_id}: first invoke on a new worker",
            _median(cold_wall),
            "ms",
            None,
            f"= spawn {_median(spawn):.0f} + init {_median(init):.0f} + first run "
            f"{_median(first_run):.1f} ms"
            + (f" (medians of {runs}; runs {_ms_list(cold_wall)})" if runs > 1 else ""),
        ),
        Figure(
            f"{logical_id}: warm invoke (median of {WARM_RUNS})",
            _median([wall for wall, _ in warm]),
            "ms",
            None,
            f"p95 {_p95([wall for wall, _ in warm]):.1f} ms; worker RSS "
            f"{_fmt(_worker_rss(logical_id), 'MB')}; invocations {outcome}",
        ),
    ]


def measure_worker_cold_starts(runtime: LocalRuntime, start_s: float) -> Section:
    runs = COLD_START_RUNS if len(runtime.specs) <= MANY_FUNCTIONS else 1
    section = Section(
        f"4. Worker cold start: first invocation on a new worker (median of {runs}) vs warm (runtime.invoke)"
    )
    section.figures.append(Figure("in-process LocalRuntime.start() (moto, provision, serve)", start_s, "s"))
    for logical_id in sorted(runtime.specs):
        _progress(f"worker cold start of {logical_id}")
        section.figures += _cold_start_figures(runtime, logical_id, runs)
    section.figures.append(Figure("RSS of this process (bench + runtime + moto)", _rss_mb(os.getpid()), "MB"))
    section.notes += [
        "spawn = process start (spawn context: a fresh interpreter importing soko_local.worker) and "
        "pipe hand-shake; init = the handler import the worker reports (Lambda's Init phase): compare "
        "with section 3 (an init near its 'no .pyc at all' row means workers compile from source)",
        "HTTP functions get a payload-2.0 event for their route; the authorizer an event without a "
        "token (it denies without calling AWS); each cold start follows pool.code_changed()",
    ]
    return section


# ---------------------------------------------------------------------------- 2. gateway overhead
@dataclass
class _GatewaySamples:
    http_ms: list[float] = field(default_factory=list)
    direct_ms: list[float] = field(default_factory=list)
    paired_ms: list[float] = field(default_factory=list)  # round trip - the gateway's own invoke
    not_found_ms: list[float] = field(default_factory=list)


def _get(session: requests.Session, url: str, status: int) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=10)
    elapsed = _ms_since(started)
    if response.status_code != status:
        raise BenchError(f"GET {url} returned {response.status_code}, expected {status}")
    return elapsed


def _connections_opened(session: requests.Session, url: str) -> int | None:
    """TCP connections the session's pools have opened (1 for any number of requests: keep-alive)."""
    adapter = session.get_adapter(url)
    if not isinstance(adapter, HTTPAdapter):
        return None
    pools = adapter.poolmanager.pools  # a RecentlyUsedContainer: .keys() works, iterating it raises
    return sum(int(pools[key].num_connections) for key in pools.keys())  # noqa: SIM118


def _sample_gateway(runtime: LocalRuntime, log: _InvokeLog, session: requests.Session) -> _GatewaySamples:
    health, nope = f"{runtime.base_url}/health", f"{runtime.base_url}/nope"
    for _ in range(GATEWAY_WARMUP):
        _get(session, health, 200)
        _get(session, nope, 404)
    event = log.last_event["HealthFunction"]  # exactly what the gateway sends
    samples = _GatewaySamples()
    for _ in range(GATEWAY_REQUESTS):  # interleaved, so drift (moto's tables growing...) hits both
        log.calls.clear()
        round_trip = _get(session, health, 200)
        samples.http_ms.append(round_trip)
        inside = next(ms for logical_id, ms in reversed(log.calls) if logical_id == "HealthFunction")
        samples.paired_ms.append(round_trip - inside)
        samples.direct_ms.append(_timed_invoke(runtime, "HealthFunction", event)[0])
    samples.not_found_ms = [_get(session, nope, 404) for _ in range(GATEWAY_REQUESTS)]
    return samples


def measure_gateway(runtime: LocalRuntime, log: _InvokeLog) -> Section:
    section = Section(f"2. Local gateway overhead per request (GET /health, N={GATEWAY_REQUESTS}, warm)")
    _progress(f"gateway overhead ({GATEWAY_REQUESTS} x 3 requests)")
    with requests.Session() as session:
        samples = _sample_gateway(runtime, log, session)
        connections = _connections_opened(session, runtime.base_url)
    http, direct = _median(samples.http_ms), _median(samples.direct_ms)
    section.figures += [
        Figure("GET /health round trip over HTTP", http, "ms", None, f"p95 {_p95(samples.http_ms):.1f} ms"),
        Figure(
            "runtime.invoke('HealthFunction') direct, same event",
            direct,
            "ms",
            None,
            f"p95 {_p95(samples.direct_ms):.1f} ms",
        ),
        Figure("overhead: difference of the medians", http - direct, "ms", GATEWAY_TARGET_MS),
        Figure(
            "overhead: per request, round trip - its invoke",
            _median(samples.paired_ms),
            "ms",
            GATEWAY_TARGET_MS,
            f"p95 {_p95(samples.paired_ms):.1f} ms",
        ),
        Figure(
            "GET /nope -> 404 (no function: fixed cost)",
            _median(samples.not_found_ms),
            "ms",
            GATEWAY_TARGET_MS,
            f"p95 {_p95(samples.not_found_ms):.1f} ms",
        ),
    ]
    total = GATEWAY_WARMUP * 2 + GATEWAY_REQUESTS * 2
    keep_alive = (
        "keep-alive in effect (werkzeug's threaded server speaks HTTP/1.1)"
        if connections == 1
        else "keep-alive not in effect: each request pays a TCP connect"
    )
    section.notes += [
        f"one requests.Session: {connections} TCP connection(s) for {total} requests, {keep_alive}",
        "'per request' subtracts the invoke the gateway itself made for that request (timed inside "
        "the runtime); 'difference of the medians' compares with a direct invoke made right after",
        "client, gateway, moto and bench share one process (and GIL): the overhead includes the "
        "requests client's own cost; the handler's own work (its calls to moto) is in both timings",
    ]
    return section


# ---------------------------------------------------------------------------- 5. and 6.: shared
@dataclass(frozen=True)
class _Signer:
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


def _authorizer_route(runtime: LocalRuntime) -> tuple[HttpApiDef, str, Authorizer]:
    """(API, route key, authorizer) of the first route behind a Lambda authorizer."""
    for api in runtime.app.http_apis:
        for method, path, _, name in api.routes:
            if name:
                return api, f"{method} {path}", api.authorizers[name]
    raise BenchError("no route of the template has a Lambda authorizer")


def _route_function(runtime: LocalRuntime, route_key: str) -> str:
    for api in runtime.app.http_apis:
        for method, path, function, _ in api.routes:
            if f"{method} {path}" == route_key:
                return function
    raise BenchError(f"the template has no route {route_key}")


def _signer(runtime: LocalRuntime) -> _Signer:
    """The JWT secret from the embedded Secrets Manager; issuer and audience as the authorizer's."""
    arn = runtime.deployment.secrets["JwtSigningSecret"]
    secret = runtime.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    environment = runtime.deployment.functions[_authorizer_route(runtime)[2].function].environment
    return _Signer(
        str(secret), environment.get("JWT_ISSUER", "soko"), environment.get("JWT_AUDIENCE", "soko-api")
    )


def _ulid() -> str:
    from soko.shared import ids  # noqa: PLC0415

    return ids.ulid()


@dataclass
class _Samples:
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
        return _median(self.ok_ms) if self.ok_ms else None

    @property
    def cut_short(self) -> bool:
        return not self.gave_up and self.statuses.total() < self.planned

    def detail(self) -> str:
        wrong = {status: n for status, n in self.statuses.items() if status != self.expected}
        text = f"p95 {_p95(self.ok_ms):.0f} ms, " if self.ok_ms else ""
        text += f"N={self.statuses.total()}; errors {sum(wrong.values())}"
        if wrong:
            listed = ", ".join(f"{n} x {status}" for status, n in sorted(wrong.items()))
            text += f" ({listed}, after {_median(self.failed_ms) / 1000:.1f} s)"
        return text


def _timed_request(
    session: requests.Session, method: str, url: str, **kwargs: Any
) -> tuple[float, requests.Response]:
    started = time.perf_counter()
    response = session.request(method, url, timeout=120, **kwargs)
    return _ms_since(started), response


def _sample(
    expected: int,
    runs: int,
    request: Callable[[], tuple[float, requests.Response]],
    *,
    budget_s: float | None = SAMPLE_BUDGET_S,
    give_up_on_5xx: bool = False,
) -> _Samples:
    """``runs`` requests, or fewer (at least MIN_SAMPLES) once ``budget_s`` is spent."""
    samples = _Samples(expected, runs)
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


def _budget_note(samples: list[_Samples]) -> list[str]:
    if not any(s.cut_short for s in samples):
        return []
    return [
        f"N below the planned count: a figure stops sampling after {SAMPLE_BUDGET_S:.0f} s (with at "
        f"least {MIN_SAMPLES} samples) to keep `make bench` short"
    ]


# ---------------------------------------------------------------------------- 5. identity
def _token_verify_us(signer: _Signer) -> list[float]:
    from soko.shared.auth import verify_access_token  # noqa: PLC0415

    token = signer.token(_ulid(), "buyer", "bench-verify@example.com")
    for _ in range(TOKEN_WARMUP):
        verify_access_token(token, secret=signer.secret, issuer=signer.issuer, audience=signer.audience)
    samples = []
    for _ in range(TOKEN_RUNS):
        started = time.perf_counter()
        verify_access_token(token, secret=signer.secret, issuer=signer.issuer, audience=signer.audience)
        samples.append((time.perf_counter() - started) * 1_000_000)
    return samples


def _authorizer_samples(runtime: LocalRuntime, signer: _Signer) -> tuple[str, list[float], int]:
    """(authorizer function, warm invoke ms, how many were not authorized) for a valid token."""
    from soko_local.payload import IncomingRequest, authorizer_event  # noqa: PLC0415

    api, route_key, authorizer = _authorizer_route(runtime)
    method, _, path = route_key.partition(" ")
    concrete, params = _concrete_path(path)
    bearer = f"Bearer {signer.token(_ulid(), 'buyer', 'bench-authorizer@example.com')}"
    host = runtime.base_url.removeprefix("http://")
    headers = [("host", host), ("authorization", bearer)]
    event = authorizer_event(
        IncomingRequest(method, concrete, "", headers, b"", "127.0.0.1", host),
        route_key=route_key,
        path_parameters=params,
        api_id=api.logical_id.lower(),
        account_id=runtime.account_id,
        region=runtime.region,
        identity_source=[bearer],
    )
    for _ in range(GATEWAY_WARMUP):  # the first call also reads the secret from Secrets Manager
        runtime.invoke(authorizer.function, event)
    samples, denied = [], 0
    for _ in range(AUTHORIZER_RUNS):
        ms, result = _timed_invoke(runtime, authorizer.function, event)
        samples.append(ms)
        payload = result.payload if result.ok and isinstance(result.payload, dict) else {}
        denied += payload.get("isAuthorized") is not True
    return authorizer.function, samples, denied


@dataclass
class _Argon2:
    hash_ms: list[float]
    verify_ms: list[float]
    memory_kib: int  # the parameters the app's hasher stores in its hashes
    time_cost: int
    parallelism: int
    rss_mb: tuple[float, float]  # (before, peak after) one hash in a fresh interpreter


_ARGON2_PROBE = """\
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from soko.identity import passwords
def status(field):  # Linux; elsewhere getrusage's peak (which Linux carries over from the parent)
    try:
        with open("/proc/self/status") as lines:
            return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(field))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
passwords.verify_password("not-a-hash", "x")  # builds the hasher without hashing
before = status("VmRSS:")
passwords.hash_password(sys.argv[2])
print(json.dumps({"before": before, "after": status("VmHWM:")}))
"""


def _argon2_rss_mb(code_dir: Path) -> tuple[float, float]:
    """(RSS before, peak RSS after) one hash_password in a fresh interpreter, in MB."""
    done = subprocess.run(
        [sys.executable, "-P", "-c", _ARGON2_PROBE, str(code_dir), BENCH_PASSWORD],
        cwd=code_dir,
        env=_function_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"the argon2 memory probe failed:\n{done.stderr[-2000:]}")
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    return float(reply["before"]) / 2**20, float(reply["after"]) / 2**20


def _argon2(code_dir: Path) -> _Argon2:
    from argon2 import extract_parameters  # noqa: PLC0415

    from soko.identity import passwords  # noqa: PLC0415

    stored = passwords.hash_password(BENCH_PASSWORD)  # unmeasured: the first use builds the hasher
    hash_ms, verify_ms = [], []
    for _ in range(ARGON2_RUNS):
        started = time.perf_counter()
        stored = passwords.hash_password(BENCH_PASSWORD)
        hash_ms.append(_ms_since(started))
        started = time.perf_counter()
        valid = passwords.verify_password(stored, BENCH_PASSWORD)
        verify_ms.append(_ms_since(started))
        if not valid:
            raise BenchError("verify_password rejected the password just hashed")
    parameters = extract_parameters(stored)
    return _Argon2(
        hash_ms,
        verify_ms,
        parameters.memory_cost,
        parameters.time_cost,
        parameters.parallelism,
        _argon2_rss_mb(code_dir),
    )


def _login_samples(runtime: LocalRuntime, session: requests.Session) -> _Samples:
    """Register one account, then sign in with it LOGIN_RUNS times (after one unmeasured sign-in)."""
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    _, registered = _timed_request(
        session,
        "POST",
        f"{runtime.base_url}/auth/register",
        json={"email": email, "password": BENCH_PASSWORD, "role": "buyer"},
    )
    if registered.status_code != 201:
        raise BenchError(f"POST /auth/register returned {registered.status_code}: {registered.text[:300]}")
    url, body = f"{runtime.base_url}/auth/login", {"email": email, "password": BENCH_PASSWORD}
    _timed_request(session, "POST", url, json=body)
    return _sample(200, LOGIN_RUNS, lambda: _timed_request(session, "POST", url, json=body), budget_s=None)


def _memory_sizes(runtime: LocalRuntime) -> str:
    """MemorySize of the functions that run argon2id, from the translated template."""
    resources = runtime.app.cfn["Resources"]
    return ", ".join(
        f"{logical_id} {resources[logical_id]['Properties'].get('MemorySize', '?')} MB"
        for logical_id in PASSWORD_FUNCTIONS
        if logical_id in resources
    )


@dataclass
class _Identity:
    verify_us: list[float]
    authorizer: str
    authorizer_ms: list[float]
    denied: int
    argon2: _Argon2
    logins: _Samples
    login_invocations_ms: list[float]  # LoginFunction's own invocations during the sign-ins


def _measure_identity(runtime: LocalRuntime, log: _InvokeLog) -> _Identity:
    signer = _signer(runtime)
    _progress(f"access-token verification ({TOKEN_RUNS} in-process, {AUTHORIZER_RUNS} authorizer invokes)")
    verify_us = _token_verify_us(signer)
    authorizer, authorizer_ms, denied = _authorizer_samples(runtime, signer)
    _progress(f"argon2id ({ARGON2_RUNS} hashes and verifies, one memory probe)")
    argon2 = _argon2(runtime.app.functions[LOGIN_FUNCTION].code_dir)
    _progress(f"sign-in over HTTP ({LOGIN_RUNS} x POST /auth/login)")
    mark = len(log.calls)
    with requests.Session() as session:
        logins = _login_samples(runtime, session)
    inside = [ms for logical_id, ms in log.calls[mark:] if logical_id == LOGIN_FUNCTION]
    return _Identity(verify_us, authorizer, authorizer_ms, denied, argon2, logins, inside)


def measure_identity(runtime: LocalRuntime, log: _InvokeLog) -> Section:
    section = Section("5. Identity: access tokens, argon2id and sign-in (warm)")
    found = _measure_identity(runtime, log)
    argon2, logins = found.argon2, found.logins
    login_ms = _median(found.login_invocations_ms) if found.login_invocations_ms else None
    section.figures += [
        Figure(
            f"verify_access_token in-process (median of {TOKEN_RUNS})",
            _median(found.verify_us),
            "µs",
            TOKEN_TARGET_US,
            f"p95 {_p95(found.verify_us):.0f} µs; max {max(found.verify_us) / 1000:.1f} ms",
        ),
        Figure(
            f"{found.authorizer} warm, valid token (median of {AUTHORIZER_RUNS})",
            _median(found.authorizer_ms),
            "ms",
            AUTHORIZER_TARGET_MS,
            f"p95 {_p95(found.authorizer_ms):.1f} ms; runtime.invoke; "
            + (f"{found.denied} not authorized" if found.denied else "all authorized"),
        ),
        Figure(
            f"argon2id hash_password (median of {ARGON2_RUNS})",
            _median(argon2.hash_ms),
            "ms",
            None,
            f"max {max(argon2.hash_ms):.0f} ms; memory_cost {argon2.memory_kib // 1024} MiB, "
            f"time_cost {argon2.time_cost}, parallelism {argon2.parallelism}",
        ),
        Figure(
            f"argon2id verify_password (median of {ARGON2_RUNS})",
            _median(argon2.verify_ms),
            "ms",
            None,
            f"max {max(argon2.verify_ms):.0f} ms",
        ),
        Figure(
            "memory of one hash (peak RSS rise)",
            argon2.rss_mb[1] - argon2.rss_mb[0],
            "MB",
            None,
            f"RSS {argon2.rss_mb[0]:.0f} MB -> peak {argon2.rss_mb[1]:.0f} MB in a fresh interpreter",
        ),
        Figure(
            f"POST /auth/login over HTTP (p50 of {logins.statuses.total()})",
            logins.p50,
            "ms",
            None,
            f"{logins.detail()}; {LOGIN_FUNCTION} invocation {_fmt(login_ms, 'ms')}; worker RSS "
            f"{_fmt(_worker_rss(LOGIN_FUNCTION), 'MB')}",
        ),
    ]
    verify = _median(argon2.verify_ms)
    share = f"~{min(verify / login_ms, 1) * 100:.0f}% of" if login_ms else "most of"
    section.notes += [
        "tokens are signed with the runtime's JwtSigningSecret (read from the embedded Secrets "
        "Manager); the authorizer figure is runtime.invoke with a REQUEST event carrying the token, "
        "so it includes the pipe round trip to the warm worker",
        f"sign-in is dominated by argon2id: one verify_password ({verify:.0f} ms in this process) is "
        f"{share} {LOGIN_FUNCTION}'s median invocation ({_fmt(login_ms, 'ms')}). The template sizes "
        f"{_memory_sizes(runtime)} (MemorySize in the translated template); Lambda allots CPU in "
        "proportion to memory (one vCPU at 1,769 MB), so on AWS hashing takes longer than on this "
        "machine, whose workers have no CPU limit",
        "memory of one hash: peak RSS after one hash_password (/proc VmHWM: on Linux getrusage's "
        "ru_maxrss also counts the parent's RSS at fork) minus RSS before it (VmRSS), the hasher "
        "already built; argon2id fills memory_cost "
        f"({argon2.memory_kib // 1024} MiB) for the duration of each hash",
    ]
    return section


# ---------------------------------------------------------------------------- 6. marketplace
def _farmers(count: int) -> list[Caller]:
    from soko.shared.identity import Caller  # noqa: PLC0415

    return [
        Caller(user_id=_ulid(), role="farmer", email=f"bench-farmer-{n}@example.com") for n in range(count)
    ]


def _build_listings(count: int, farmers: list[Caller], rng: random.Random) -> list[dict[str, Any]]:
    """Listing items exactly as POST /listings/ stores them: logic.create_listing with a DAL that
    keeps the item instead of writing it (and its ListingCreated event to the outbox)."""
    from decimal import Decimal  # noqa: PLC0415

    from soko.market import logic  # noqa: PLC0415
    from soko.market.dal import MarketDal  # noqa: PLC0415
    from soko.market.models import ListingCreate, MarketConfig  # noqa: PLC0415

    items: list[dict[str, Any]] = []

    class KeepingDal(MarketDal):
        def create_listing(self, item: dict[str, Any], events: Any) -> None:
            items.append(item)

    class NoMedia:
        def upload_form(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
            return {}

        def view_url(self, key: str) -> str:
            return key

    market = logic.Market(MarketConfig(market_table_name="bench"), KeepingDal("bench"), NoMedia())
    for _ in range(count):
        crop, district = rng.choice(CROPS), rng.choice(DISTRICTS)
        request = ListingCreate(
            title=f"{rng.choice(GRADES)} {crop} from {district}",
            crop=crop,
            price_per_kg=rng.randint(*PRICES_UGX),
            quantity_kg=Decimal(rng.randint(*STOCK_KG)),
            district=district,
        )
        logic.create_listing(rng.choice(farmers), request, market)
    return items


def _write_listings(runtime: LocalRuntime, table: str, items: list[dict[str, Any]]) -> float:
    """Seconds to put ``items`` with batch_write_item, WRITE_BATCH a request."""
    from boto3.dynamodb.types import TypeSerializer  # noqa: PLC0415

    serializer = TypeSerializer()
    puts = [
        {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in item.items() if v is not None}}}
        for item in items
    ]
    client = runtime.client("dynamodb")
    started = time.perf_counter()
    for start in range(0, len(puts), WRITE_BATCH):
        pending: dict[str, Any] = {table: puts[start : start + WRITE_BATCH]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return time.perf_counter() - started


@dataclass
class _Written:
    """One batch of listings written, and the wait for their stream records after it."""

    listings: int
    write_s: float
    wait_s: float  # until the consumer had been handed their records, or the wait's cap
    behind: int  # records not delivered when the wait ended
    rate: float  # records delivered a second during the wait


@dataclass
class _Load:
    """Listings written into the table, and their way through the table's stream."""

    table: str  # physical name
    consumer: str | None  # the function the runtime feeds the table's stream to
    built_s: float = 0.0
    stages: list[_Written] = field(default_factory=list)
    invocations: int = 0  # of the consumer, from the first write on
    baseline: int = 0  # records of the table's stream delivered before the first write

    def streamed(self, log: _InvokeLog) -> int:
        """Records of the table's stream the runtime has delivered so far."""
        return sum(n for arn, n in log.records.items() if f":table/{self.table}/stream/" in arn)

    def delivered(self, log: _InvokeLog) -> int:
        return self.streamed(log) - self.baseline

    @property
    def written(self) -> int:
        return sum(stage.listings for stage in self.stages)


def _load(
    runtime: LocalRuntime, log: _InvokeLog, load: _Load, items: list[dict[str, Any]], wait_s: float
) -> None:
    """Write ``items``, then wait (at most ``wait_s``) until the runtime has handed every
    listing's stream record to the consumer, so the measurements that follow do not compete with
    that. (Records of other writes, the orders', count too: "behind" is approximate.)"""
    if not load.stages:
        load.baseline = load.streamed(log)
    mark = len(log.calls)
    seconds = _write_listings(runtime, load.table, items)
    written, delivered = load.written + len(items), load.delivered(log)
    started = time.perf_counter()
    while load.consumer and load.delivered(log) < written:
        if time.perf_counter() - started > wait_s:
            break
        time.sleep(0.1)
    waited = time.perf_counter() - started
    behind = max(0, written - load.delivered(log)) if load.consumer else 0
    rate = (load.delivered(log) - delivered) / waited if waited > 0 else 0.0
    load.stages.append(_Written(len(items), seconds, waited, behind, rate))
    load.invocations += sum(1 for logical_id, _ in log.calls[mark:] if logical_id == load.consumer)


@dataclass
class _Shop:
    """What the marketplace's requests share."""

    base_url: str
    session: requests.Session
    tokens: list[str]  # the buyers' access tokens
    rng: random.Random
    buyers: Iterator[str] = field(init=False)  # the tokens, round-robin

    def __post_init__(self) -> None:
        self.buyers = itertools.cycle(self.tokens)


@dataclass
class _Stage:
    """Browse and place-order at one table size."""

    listings: int
    browse: dict[str, _Samples] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # label -> what its page held
    orders: _Samples | None = None


BROWSE_SHAPES: tuple[tuple[str, dict[str, str]], ...] = (
    ("newest, no filter", {}),
    ("crop=maize&sort=price", {"crop": "maize", "sort": "price"}),
    ("district=Gulu", {"district": "Gulu"}),
    (
        "crop=beans&district=Gulu&min/max_price",
        {"crop": "beans", "district": "Gulu", "min_price": "1000", "max_price": "4000"},
    ),
    ("q=maze (typo)", {"q": "maze"}),
)
SECOND_PAGE = "2nd page of newest (cursor)"


def _page(response: requests.Response | None) -> tuple[str, str | None]:
    """(what the page held, its cursor)."""
    if response is None:
        return "no response", None
    try:
        body = response.json()
        items, cursor = len(body["items"]), body.get("next_cursor")
    except (ValueError, KeyError, TypeError):
        return f"status {response.status_code}", None
    return f"{items} items" + (" + cursor" if cursor else ", last page"), cursor


def _browse_shape(shop: _Shop, stage: _Stage, label: str, params: dict[str, str], runs: int) -> str | None:
    """Sample one query shape; returns the cursor of its (last) page."""
    url = f"{shop.base_url}/listings/"
    stage.browse[label] = _sample(
        200, runs, functools.partial(_timed_request, shop.session, "GET", url, params=params)
    )
    stage.pages[label], cursor = _page(stage.browse[label].last)
    return cursor


def _measure_browse(shop: _Shop, stage: _Stage, runs: int) -> None:
    second_page = None
    for label, params in BROWSE_SHAPES:
        cursor = _browse_shape(shop, stage, label, params, runs)
        second_page = second_page or (cursor if not params else None)
    if second_page:  # the first page of everything came with a cursor
        _browse_shape(shop, stage, SECOND_PAGE, {"cursor": second_page}, runs)


def _measure_orders(shop: _Shop, listing_ids: list[str], runs: int, *, warm_up: bool) -> _Samples:
    def place() -> tuple[float, requests.Response]:
        return _timed_request(
            shop.session,
            "POST",
            f"{shop.base_url}/orders/",
            json={"listing_id": shop.rng.choice(listing_ids), "quantity_kg": ORDER_KG},
            headers={"authorization": f"Bearer {next(shop.buyers)}"},
        )

    if warm_up:  # the worker, and the authorizer's answer for each token, without an order: a 422
        for token in shop.tokens:
            shop.session.post(
                f"{shop.base_url}/orders/", json={}, headers={"authorization": f"Bearer {token}"}, timeout=60
            )
    # A timed-out order goes on running in moto: one is enough to know, and more would pile up.
    return _sample(201, runs, place, give_up_on_5xx=True)


def _stage(shop: _Shop, listing_ids: list[str], runs: tuple[int, int], *, warm_up: bool) -> _Stage:
    stage = _Stage(len(listing_ids))
    _progress(f"browse with {stage.listings:,} listings ({len(BROWSE_SHAPES) + 1} query shapes)")
    _measure_browse(shop, stage, runs[0])
    _progress(f"place-order with {stage.listings:,} listings")
    stage.orders = _measure_orders(shop, listing_ids, runs[1], warm_up=warm_up)
    return stage


def _at(stage: _Stage, samples: _Samples | None) -> str:
    """The same figure at the smaller table size, for the details."""
    if samples is None:
        return ""
    failed = ", ".join(
        f"{n} x {status}" for status, n in sorted(samples.statuses.items()) if status != samples.expected
    )
    if samples.p50 is None:
        return f"; at {stage.listings:,}: {failed}"
    counted = ", ".join([f"N={samples.statuses.total()}", *([failed] if failed else [])])
    return f"; at {stage.listings:,}: {_fmt(samples.p50, 'ms')} ({counted})"


def _market_figures(load: _Load, stages: tuple[_Stage, _Stage], buyers: int) -> list[Figure]:
    small, large = stages
    written = sum(stage.write_s for stage in load.stages)
    each = ", ".join(f"{stage.listings:,} in {stage.write_s:.1f} s" for stage in load.stages)
    waits = "; ".join(
        f"at {stage.listings:,}: {batch.behind:,} behind after {batch.wait_s:.0f} s ({batch.rate:.0f}/s)"
        for batch, stage in zip(load.stages, stages, strict=True)
    )
    figures = [
        Figure(
            f"load {LISTINGS_TOTAL:,} listings (batch_write_item)",
            written,
            "s",
            None,
            f"{LISTINGS_TOTAL / written:.0f}/s ({each}); built by create_listing in {load.built_s:.1f} s",
        ),
        Figure(
            "then waiting on MarketTable's stream (capped)",
            sum(stage.wait_s for stage in load.stages) if load.consumer else None,
            "s",
            None,
            f"records to {load.consumer} ({load.invocations} invocations); {waits}",
        ),
    ]
    for label, samples in large.browse.items():
        figures.append(
            Figure(
                f"GET /listings/ {label}",
                samples.p50,
                "ms",
                None,
                f"{samples.detail()}; {large.pages[label]}{_at(small, small.browse.get(label))}",
            )
        )
    assert large.orders is not None
    figures += [
        Figure(
            f"POST /orders/ ({ORDER_KG} kg, {buyers} buyers)",
            large.orders.p50,
            "ms",
            None,
            large.orders.detail() + _at(small, small.orders),
        ),
        Figure("RSS of this process (moto holding the table)", _rss_mb(os.getpid()), "MB"),
    ]
    return figures


def _browse_note(small: _Stage, large: _Stage) -> list[str]:
    """Why browse grows with the table, if it does."""
    grown = {
        label: p50 / before
        for label, samples in large.browse.items()
        if (p50 := samples.p50) and label in small.browse and (before := small.browse[label].p50)
    }
    slower = [f"{label} {ratio:.1f}x" for label, ratio in grown.items() if ratio >= SCALING_NOTE_RATIO]
    if not slower:
        return []
    return [
        f"browse grows with the table ({large.listings:,} listings against {small.listings:,}: "
        f"{', '.join(slower)}): moto evaluates a GSI query in memory, going through every item of "
        "the table and sorting the partition on each call, then serialises each item it returns "
        "(slowly); a page whose filter rejects most of what it reads (district within a crop) "
        "takes up to 10 queries (MarketDal._filtered_page). These figures measure the emulator, not "
        "DynamoDB, whose query cost follows the items read, not the table's size"
    ]


def _order_note(runtime: LocalRuntime, log: _InvokeLog, small: _Stage, large: _Stage) -> list[str]:
    assert small.orders is not None and large.orders is not None
    function = _route_function(runtime, "POST /orders/")
    failures = ", ".join(f"{n} x {kind}" for (name, kind), n in log.errors.items() if name == function)
    small_ms, large_ms = small.orders.p50, large.orders.p50
    slower = large_ms is None or (small_ms is not None and large_ms >= SCALING_NOTE_RATIO * small_ms)
    if not (slower or failures):
        return []
    how = (
        f"is {large_ms / small_ms:.1f}x slower at {large.listings:,} listings"
        if large_ms and small_ms
        else f"failed at {large.listings:,} listings"
    )
    return [
        f"place-order {how}"
        + (
            f" ({function}: {failures}; Timeout {runtime.deployment.functions[function].timeout} s)"
            if failures
            else ""
        )
        + ": moto's transact_write_items deep-copies the whole table (its items and its stream "
        "records) once per item of the transaction, for a rollback; an order is a transaction of "
        "6 or more items. The emulator again: on DynamoDB a transaction's cost does not depend on "
        "the table's size"
        + (
            "; sampling stopped at the first server error (a timed-out order goes on running in moto)"
            if large.orders.gave_up
            else ""
        )
    ]


def _order_limit(runtime: LocalRuntime) -> int:
    """Orders a buyer may place an hour: OrdersCreateFunction's setting, else MarketConfig's default."""
    from soko.market.models import MarketConfig  # noqa: PLC0415

    environment = runtime.deployment.functions[_route_function(runtime, "POST /orders/")].environment
    default = MarketConfig.model_fields["orders_per_buyer_per_hour"].default
    return int(environment.get("ORDERS_PER_BUYER_PER_HOUR", default))


def _stream_note(load: _Load) -> list[str]:
    if not load.invocations:
        return []
    last = load.stages[-1]
    if last.behind:
        when = (
            f"the figures above were measured with the stream behind, as noted: it competes with moto, "
            f"in this process, for the CPU (at {last.rate:.0f} records/s it needed ~"
            f"{last.behind / max(last.rate, 1):.0f} s more to catch up)"
        )
    else:
        when = "the figures above were measured after it had delivered the loads"
    return [
        f"the runtime hands every record of MarketTable's stream to {load.consumer} (each listing "
        "write, which it skips): it does not apply the event source's FilterCriteria (OUTBOX# "
        "inserts only), and it reads the stream 25 records a GetRecords, each answer serialised by "
        f"moto. The wait for it is capped; {when}"
    ]


def _market_notes(
    runtime: LocalRuntime, log: _InvokeLog, load: _Load, stages: tuple[_Stage, _Stage]
) -> list[str]:
    small, large = stages
    authorizer = _authorizer_route(runtime)[2]
    notes = [
        f"{LISTINGS_TOTAL:,} listings over {len(CROPS)} crops, {len(DISTRICTS)} districts, {FARMERS} "
        f"farmers, {PRICES_UGX[0]}-{PRICES_UGX[1]} UGX/kg, built by logic.create_listing and written "
        f"straight into MarketTable ({WRITE_BATCH} per batch_write_item, no outbox events); browse "
        f"and place-order were measured at {small.listings:,} listings first",
        f"orders: {ORDER_KG} kg each of a random listing, round-robin over buyers' tokens signed with "
        f"the JWT secret (at most {ORDERS_PER_BUYER} orders each: the limit is {_order_limit(runtime)} "
        "an hour); the "
        f"gateway caches the authorizer's answer per token for {authorizer.ttl_seconds} s, as API "
        "Gateway does",
    ]
    notes += _stream_note(load)
    notes += _browse_note(small, large)
    notes += _order_note(runtime, log, small, large)
    assert small.orders is not None and large.orders is not None
    notes += _budget_note([*small.browse.values(), *large.browse.values(), small.orders, large.orders])
    return notes


def measure_market(runtime: LocalRuntime, log: _InvokeLog) -> Section:
    section = Section(
        f"6. Marketplace through the gateway with {LISTINGS_TOTAL:,} listings (p50; p95 in the details)"
    )
    rng = random.Random(2026)  # noqa: S311  (test data, not secrets)
    signer = _signer(runtime)
    consumer = next(
        (s.function for s in runtime.app.event_sources if s.kind == "dynamodb" and s.queue == "MarketTable"),
        None,
    )
    load = _Load(runtime.deployment.physical["MarketTable"], consumer)
    _progress(f"building {LISTINGS_TOTAL:,} listings with logic.create_listing")
    started = time.perf_counter()
    items = _build_listings(LISTINGS_TOTAL, _farmers(FARMERS), rng)
    load.built_s = time.perf_counter() - started
    ids = [str(item["id"]) for item in items]
    orders = ORDER_RUNS_FIRST + ORDER_RUNS
    tokens = [
        signer.token(_ulid(), "buyer", f"bench-buyer-{n}@example.com")
        for n in range(max(3, math.ceil(orders / ORDERS_PER_BUYER)))
    ]
    with requests.Session() as session:
        shop = _Shop(runtime.base_url, session, tokens, rng)
        _progress(f"loading {LISTINGS_FIRST:,} listings")
        _load(runtime, log, load, items[:LISTINGS_FIRST], STREAM_WAIT_S[0])
        small = _stage(shop, ids[:LISTINGS_FIRST], (BROWSE_RUNS_FIRST, ORDER_RUNS_FIRST), warm_up=True)
        _progress(f"loading {LISTINGS_TOTAL - LISTINGS_FIRST:,} more listings")
        _load(runtime, log, load, items[LISTINGS_FIRST:], STREAM_WAIT_S[1])
        large = _stage(shop, ids, (BROWSE_RUNS, ORDER_RUNS), warm_up=False)
    section.figures += _market_figures(load, (small, large), len(tokens))
    section.notes += _market_notes(runtime, log, load, (small, large))
    return section


# ---------------------------------------------------------------------------- 8. USSD
USSD_RUNS = 40
USSD_IMPORT_RUNS = 5
USSD_REPLY_TARGET_MS = 1000.0  # PROVIDERS.md: well under 1 s, a cold start included
USSD_IMPORT_TARGET_MS = 300.0
USSD_FORBIDDEN_MODULES = ("pandas", "prophet", "numpy", "soko.payments", "soko.providers.pesapal")


def _ussd_cold_imports() -> tuple[list[float], list[str]]:
    """The USSD handler module's import in fresh interpreters, and the heavy modules it loaded."""
    code_dir = Path(__file__).resolve().parents[2] / "functions" / "app"
    env = _function_environment()
    times = [_run_probe(code_dir, "soko.ussd.handler", env)[0] for _ in range(USSD_IMPORT_RUNS)]
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import soko.ussd.handler; "
        f"print(','.join(m for m in {USSD_FORBIDDEN_MODULES!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-P", "-c", probe, str(code_dir)],
        cwd=code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return times, [m for m in done.stdout.strip().split(",") if m]


def measure_ussd(runtime: LocalRuntime, log: _InvokeLog) -> Section:
    """Replies through the gateway and the Function URL, as Africa's Talking would get them."""
    section = Section("8. USSD: replies through the local Function URL, and the handler's cold import")
    url = runtime.endpoints()["function_urls"]["UssdFunction"]
    table = runtime.client("dynamodb")
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 2 * 86400))
    table.put_item(
        TableName=runtime.deployment.physical["MlTable"],
        Item={
            "pk": {"S": "OBS#Kisenyi_Kampala#maize_grain"},
            "sk": {"S": f"{day}#wfp#retail"},
            "date": {"S": day},
            "price": {"N": "1000"},
            "source": {"S": "wfp"},
            "pricetype": {"S": "retail"},
            "status": {"S": "accepted"},
        },
    )
    screens: dict[str, list[float]] = {"main menu (text '')": [], "1*1*1 (forecast)": []}
    first_ms: float | None = None
    with requests.Session() as http:
        for run in range(USSD_RUNS):
            session = f"ATUid_bench_{run}"
            for samples, text in zip(screens.values(), ("", "1*1*1"), strict=True):
                form = {
                    "sessionId": session,
                    "phoneNumber": "+256772999000",
                    "networkCode": "99999",
                    "text": text,
                }
                started = time.perf_counter()
                reply = http.post(url, data=form, timeout=30)
                elapsed = _ms_since(started)
                if reply.status_code != 200 or not reply.text.startswith(("CON ", "END ")):
                    raise BenchError(f"USSD answered {reply.status_code}: {reply.text[:100]!r}")
                if first_ms is None:
                    first_ms = elapsed
                else:
                    samples.append(elapsed)
    imports, heavy = _ussd_cold_imports()
    for label, samples in screens.items():
        section.figures.append(
            Figure(
                f"reply p50, {label}",
                _median(samples),
                "ms",
                USSD_REPLY_TARGET_MS,
                f"p95 {_p95(samples):.0f} ms over {len(samples)} requests (HTTP to the gateway, worker warm)",
            )
        )
    section.figures += [
        Figure("first reply (worker cold start included)", first_ms, "ms", USSD_REPLY_TARGET_MS),
        Figure(
            f"cold import of soko.ussd.handler (median of {USSD_IMPORT_RUNS} fresh interpreters)",
            _median(imports),
            "ms",
            USSD_IMPORT_TARGET_MS,
            f"runs {_ms_list(imports)}",
        ),
    ]
    section.notes.append(
        "heavy modules loaded by the USSD handler: "
        + (", ".join(heavy) if heavy else "none")
        + f" (checked: {', '.join(USSD_FORBIDDEN_MODULES)}); the marketplace and price logic load on "
        "the first screen that needs them."
    )
    return section


# ---------------------------------------------------------------------------- main
def _guarded(title: str, measure: Callable[[], list[Section]]) -> list[Section]:
    """Run a measurement; a failure becomes a section that says so (the others still run)."""
    try:
        return measure()
    except Exception as err:  # figures, not tests: report and go on
        return [Section(title, [Figure("not measured", None, "ms")], [f"ERROR {type(err).__name__}: {err}"])]


def _runtime_sections() -> list[Section]:
    """Sections 2, 4, 5, 6 and 7, on one in-process runtime: 4 first, while every worker is still
    cold; 6 last, as it leaves moto holding 10,000 listings."""
    with _running_runtime() as (runtime, log, start_s):
        cold = _guarded("4. Worker cold start", lambda: [measure_worker_cold_starts(runtime, start_s)])
        gateway = _guarded("2. Gateway overhead", lambda: [measure_gateway(runtime, log)])
        identity = _guarded("5. Identity", lambda: [measure_identity(runtime, log)])
        ussd = _guarded("8. USSD", lambda: [measure_ussd(runtime, log)])
        market = _guarded("6. Marketplace", lambda: [measure_market(runtime, log)])
        prices = _guarded("7. Price layer", lambda: [_measure_prices(runtime, log)])
        matching = _guarded("9. Matching", lambda: [_measure_matching(runtime, log)])
    return [*gateway, *cold, *identity, *market, *prices, *ussd, *matching]


def _measure_prices(runtime: LocalRuntime, log: _InvokeLog) -> Section:
    from soko_local.bench_prices import measure_prices  # noqa: PLC0415  (it imports this module)

    return measure_prices(runtime, log)


def _measure_matching(runtime: LocalRuntime, log: _InvokeLog) -> Section:
    from soko_local.bench_matching import measure_matching  # noqa: PLC0415  (it imports this module)

    return measure_matching(runtime, log)


def _allow_ctrl_c_in_children() -> None:
    """A background shell starts us with SIGINT ignored, and children inherit that; restore the
    default so SIGINT stops `soko_local dev` the way Ctrl-C does."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def main() -> int:
    _allow_ctrl_c_in_children()
    # aws-sam-translator warns "There are unpublished metrics" when its Metrics object is collected
    logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)
    began = time.perf_counter()
    _progress("measuring (a few minutes) ...")
    startup = _guarded("1. Start-up", lambda: [measure_startup()])
    imports = _guarded("3. Cold imports", lambda: [measure_imports()])
    runtime = _guarded("2./4./5./6. The in-process runtime", _runtime_sections)
    print(render([*startup, *runtime[:1], *imports, *runtime[1:]], time.perf_counter() - began))
    return 0


if __name__ == "__main__":
    sys.exit(main())
