"""``make bench`` section 3: the cold import of every function's handler module in a fresh
interpreter, as a ratio to ``import boto3`` measured in the same run (absolute times vary with the
machine and its load; the ratio much less), with the median, p90 and worst ratios against the
cold-start budget, and where the slowest five spend it.

Measured as Lambda runs it: tracing on (no ``POWERTOOLS_TRACE_DISABLED``), in a Lambda-like
environment (``AWS_LAMBDA_FUNCTION_NAME`` set)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from soko_local.bench.core import (
    ACCOUNT_ID,
    MANY_FUNCTIONS,
    PARAMETERS,
    REGION,
    TEMPLATE,
    BenchError,
    Figure,
    Section,
    function_environment,
    median,
    ms_list,
    ms_since,
    progress,
    run_probe,
)

if TYPE_CHECKING:
    from soko_local.template import AppModel

IMPORT_RUNS = 3  # best of: the least disturbed run of a fresh interpreter

IMPORT_SOURCE_RUNS = 3

MEDIAN_RATIO_TARGET = 1.6  # the cold-start budget (docs/cold-starts.md), ratios to `import boto3`
WORST_RATIO_TARGET = 2.2

SLOWEST = 5

BASELINE_MODULE = "boto3"

_WARM_UP = """\
import importlib, sys
sys.path.insert(0, sys.argv[1])
for name in sys.argv[2:]:
    importlib.import_module(name)
"""


def _bare_startup_ms(env: dict[str, str]) -> list[float]:
    runs = []
    for _ in range(IMPORT_RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-P", "-c", "pass"], env=env, check=True, timeout=30)
        runs.append(ms_since(started))
    return runs


def lambda_environment(**extra: str) -> dict[str, str]:
    """What a deployed function sees at import: tracing not disabled, a function name set."""
    env = function_environment(AWS_LAMBDA_FUNCTION_NAME="soko-bench-import", **extra)
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    return env


def ratio_summary(ratios: list[float]) -> tuple[float, float, float]:
    """(median, p90, worst) of the per-function ratios."""
    ordered = sorted(ratios)
    p90 = statistics.quantiles(ordered, n=10, method="inclusive")[8] if len(ordered) > 1 else ordered[0]
    return statistics.median(ordered), p90, ordered[-1]


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
    env = lambda_environment()
    cached = [run_probe(code_dir, module, env) for _ in range(IMPORT_RUNS)]
    no_write = lambda_environment(PYTHONDONTWRITEBYTECODE="1")
    own_source = [run_probe(source_dir, module, no_write)[0] for _ in range(source_runs)]
    return _Import(logical_id, module, code_dir, [c[0] for c in cached], [c[1] for c in cached], own_source)


def _import_figure(result: _Import, baseline_ms: float) -> Figure:
    best = min(result.import_ms)
    return Figure(
        f"{result.logical_id} ({result.module})",
        best / baseline_ms,
        "x",
        WORST_RATIO_TARGET,
        f"best of {len(result.import_ms)} {best:.0f} ms; without .pyc for functions/app "
        f"{min(result.own_source_ms):.0f} ms; process wall {min(result.wall_ms):.0f} ms",
    )


def _baseline_ms(code_dir: Path, env: dict[str, str]) -> list[float]:
    return [run_probe(code_dir, BASELINE_MODULE, env, check_file=False)[0] for _ in range(IMPORT_RUNS)]


def _slowest_details(slowest: list[_Import], source_dirs: dict[Path, Path], scratch: Path) -> Section:
    """For the slowest imports: where the time goes, and the import with no .pyc anywhere."""
    details = Section("")
    env = lambda_environment()
    worst = slowest[0]
    everything = lambda_environment(
        PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=str(scratch / "empty-pycache-prefix")
    )
    all_source = [
        run_probe(source_dirs[worst.code_dir], worst.module, everything)[0] for _ in range(IMPORT_SOURCE_RUNS)
    ]
    details.figures.append(
        Figure(
            f"{worst.logical_id}, no .pyc at all (stdlib and deps too)",
            median(all_source),
            "ms",
            None,
            f"max {max(all_source):.0f} ms (median of {IMPORT_SOURCE_RUNS}); what a worker without a "
            "bytecode cache pays",
        )
    )
    for rank, result in enumerate(slowest, 1):
        stderr = run_probe(result.code_dir, result.module, env, "-X", "importtime")[2]
        details.notes.append(
            f"slowest #{rank} {result.logical_id} ({min(result.import_ms):.0f} ms), heaviest imports "
            f"(self time by package): {_import_profile(stderr) or '-'}"
        )
    return details


def measure() -> Section:
    from soko_local.template import load_app  # noqa: PLC0415

    section = Section(
        f"3. Cold import of each function's handler module, as a ratio to `import {BASELINE_MODULE}` "
        f"(fresh interpreter, best of {IMPORT_RUNS}, tracing on)"
    )
    app = load_app(TEMPLATE, parameters=PARAMETERS, region=REGION, account_id=ACCOUNT_ID)
    handlers = _handlers(app)
    env = lambda_environment()
    bare = _bare_startup_ms(env)
    section.figures.append(
        Figure("bare interpreter start-up (python -P -c pass)", median(bare), "ms", None, ms_list(bare))
    )
    source_runs = IMPORT_SOURCE_RUNS if len(handlers) <= MANY_FUNCTIONS else 1
    _warm_up(handlers, env)
    any_dir = next(iter(handlers.values()))[0]
    baseline = _baseline_ms(any_dir, env)  # before the functions and after: the best of both
    with tempfile.TemporaryDirectory(prefix="soko-bench-") as tmp:
        source_dirs: dict[Path, Path] = {}  # code dir -> a copy without __pycache__
        for code_dir, _ in handlers.values():
            if code_dir not in source_dirs:
                source_dirs[code_dir] = Path(tmp) / f"code-{len(source_dirs)}"
                shutil.copytree(code_dir, source_dirs[code_dir], ignore=shutil.ignore_patterns("__pycache__"))
        results = []
        for logical_id, (code_dir, module) in handlers.items():
            progress(f"cold import of {module} ({logical_id})")
            results.append(
                _measure_one_import(logical_id, code_dir, module, source_dirs[code_dir], source_runs)
            )
        baseline += _baseline_ms(any_dir, env)
        baseline_ms = min(baseline)
        figures = [_import_figure(r, baseline_ms) for r in results]
        slowest = sorted(results, key=lambda r: min(r.import_ms), reverse=True)[:SLOWEST]
        details = _slowest_details(slowest, source_dirs, Path(tmp))
    mid, p90, worst = ratio_summary([f.value for f in figures if f.value is not None])
    worst_id = max(figures, key=lambda f: f.value or 0.0).label
    section.figures += [
        Figure(
            f"import {BASELINE_MODULE} (the unit of the ratios)",
            baseline_ms,
            "ms",
            None,
            f"best of {len(baseline)}: {ms_list(baseline)}",
        ),
        Figure(f"median ratio of {len(figures)} functions", mid, "x", MEDIAN_RATIO_TARGET),
        Figure("p90 ratio", p90, "x", None),
        Figure("worst ratio", worst, "x", WORST_RATIO_TARGET, worst_id),
        *figures,
        *details.figures,
    ]
    section.notes += [
        "import time is measured inside the child (perf_counter around importlib.import_module) with "
        "the code directory first on sys.path, tracing on as deployed (no POWERTOOLS_TRACE_DISABLED, "
        "AWS_LAMBDA_FUNCTION_NAME set), fake AWS credentials; each ratio is the function's best of "
        f"{IMPORT_RUNS} over the best `import {BASELINE_MODULE}` of the same run (measured before and "
        "after the functions); the budget is a median <= "
        f"{MEDIAN_RATIO_TARGET} and a worst <= {WORST_RATIO_TARGET}",
        "with .pyc cached: one unmeasured warm-up run imports every handler first and writes "
        "__pycache__. A Lambda package holds .pyc only if the build compiles them (`sam build` copies "
        "functions/app as .py), so 'without .pyc for functions/app' "
        f"(best of {source_runs}) is closer to a first cold start on AWS without SnapStart",
        *details.notes,
        "'heaviest imports': self time by top-level package from one `-X importtime` run "
        "(the flag adds overhead of its own)",
    ]
    return section
