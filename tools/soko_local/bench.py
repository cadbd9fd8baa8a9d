"""``python -m soko_local.bench`` (``make bench``): performance figures of the local runtime and of
the functions' cold starts, each printed next to its target. Figures, not tests: always exits 0.

1. start-up of ``python -m soko_local dev`` to the first 200 from ``GET /health``;
2. the local gateway's overhead per request (HTTP round trip minus the function's invocation);
3. cold import of every function's handler module in a fresh interpreter;
4. a worker's cold start (first invocation on a new worker process) against warm invocations.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter

if TYPE_CHECKING:
    from soko_local.pool import InvokeResult
    from soko_local.runtime import LocalRuntime
    from soko_local.template import AppModel, HttpApiDef

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
    function, the last event (so direct invocations can reuse exactly what the gateway sends)."""

    calls: list[tuple[str, float]] = field(default_factory=list)  # (logical id, ms), pollers' too
    last_event: dict[str, Any] = field(default_factory=dict)


def _instrument(runtime: LocalRuntime) -> _InvokeLog:
    log = _InvokeLog()
    invoke = runtime.invoke

    def timed(logical_id: str, event: Any) -> InvokeResult:
        started = time.perf_counter()
        result = invoke(logical_id, event)
        log.calls.append((logical_id, _ms_since(started)))
        log.last_event[logical_id] = event
        return result

    runtime.invoke = timed  # type: ignore[method-assign]  # the gateway calls self.invoke
    return log


@contextlib.contextmanager
def _running_runtime() -> Iterator[tuple[LocalRuntime, _InvokeLog, float]]:
    from soko_local.runtime import LocalRuntime, RuntimeOptions  # noqa: PLC0415

    runtime = LocalRuntime(RuntimeOptions(template=TEMPLATE, port=0, watch=False, run_schedules=False))
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


# ---------------------------------------------------------------------------- main
def _guarded(title: str, measure: Callable[[], list[Section]]) -> list[Section]:
    """Run a measurement; a failure becomes a section that says so (the others still run)."""
    try:
        return measure()
    except Exception as err:  # figures, not tests: report and go on
        return [Section(title, [Figure("not measured", None, "ms")], [f"ERROR {type(err).__name__}: {err}"])]


def _runtime_sections() -> list[Section]:
    """Sections 2 and 4, on one in-process runtime: 4 first, while every worker is still cold."""
    with _running_runtime() as (runtime, log, start_s):
        cold = _guarded("4. Worker cold start", lambda: [measure_worker_cold_starts(runtime, start_s)])
        gateway = _guarded("2. Gateway overhead", lambda: [measure_gateway(runtime, log)])
    return [*gateway, *cold]


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
    _progress("measuring (about a minute) ...")
    startup = _guarded("1. Start-up", lambda: [measure_startup()])
    imports = _guarded("3. Cold imports", lambda: [measure_imports()])
    runtime = _guarded("2./4. Gateway overhead and worker cold start", _runtime_sections)
    print(render([*startup, *runtime[:1], *imports, *runtime[1:]], time.perf_counter() - began))
    return 0


if __name__ == "__main__":
    sys.exit(main())
