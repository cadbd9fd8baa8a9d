"""Request-serving functions keep heavy modules off their cold path.

Each handler module of the template (every nested stack) is imported in a fresh interpreter as
Lambda imports it (tracing on, in a Lambda environment) and ``sys.modules`` is checked: no pandas,
numpy, prophet or matplotlib (the training functions' stack) and no X-Ray SDK (tracing is Lambda's
own plus subsegments created on the traced paths; see docs/cold-starts.md). The training functions
are the only ones allowed them."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from soko_local.template import AppModel

HEAVY = ("pandas", "numpy", "prophet", "matplotlib", "aws_xray_sdk")

TRAINING = frozenset({"ListPairsFunction", "TrainPairFunction"})

# In the child: record who first imports a heavy package, import the handler, report.
_PROBE = """\
import json, sys, traceback
heavy = set(sys.argv[3].split(","))
first_importer = {}

class _Watch:
    @staticmethod
    def find_spec(name, path=None, target=None):
        top = name.partition(".")[0]
        if top in heavy and top not in first_importer:
            frames = [f for f in traceback.extract_stack()[:-1] if "importlib" not in f.filename]
            first_importer[top] = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        return None

sys.meta_path.insert(0, _Watch)
sys.path.insert(0, sys.argv[1])
__import__(sys.argv[2])
loaded = sorted({m.partition(".")[0] for m in sys.modules} & heavy)
print(json.dumps({name: first_importer.get(name, "?") for name in loaded}))
"""


def heavy_imports(code_dir: Path, module: str) -> dict[str, str]:
    """The heavy packages importing ``module`` loads in a fresh interpreter, each with the
    file:line that first imported it."""
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": "cold-path-probe",  # as in Lambda: tracing on, not disabled
        "POWERTOOLS_SERVICE_NAME": "soko",
        "PYTHONPATH": str(code_dir),
    }
    done = subprocess.run(
        [sys.executable, "-P", "-c", _PROBE, str(code_dir), module, ",".join(HEAVY)],
        cwd=code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"importing {module} failed:\n{done.stderr[-2000:]}"
    found: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def request_serving_handlers(app: AppModel) -> dict[str, tuple[Path, str]]:
    """logical id -> (code directory, handler module) of every function but the training ones."""
    found = {}
    for logical_id, function in sorted(app.functions.items()):
        if logical_id in TRAINING:
            continue
        handler = str(app.cfn["Resources"][logical_id]["Properties"]["Handler"])
        found[logical_id] = (function.code_dir, handler.rpartition(".")[0].replace("/", "."))
    return found


def test_the_check_sees_every_request_serving_function(app_model: AppModel) -> None:
    handlers = request_serving_handlers(app_model)
    assert len(handlers) >= 70 and not TRAINING & handlers.keys()
    assert "AuthorizerFunction" in handlers and "UssdFunction" in handlers


def test_no_request_serving_function_imports_a_heavy_module(app_model: AppModel) -> None:
    handlers = request_serving_handlers(app_model)
    modules = sorted({(code_dir, module) for code_dir, module in handlers.values()})
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(modules, pool.map(lambda m: heavy_imports(*m), modules), strict=True))
    offenders = {
        logical_id: results[(code_dir, module)]
        for logical_id, (code_dir, module) in handlers.items()
        if results[(code_dir, module)]
    }
    assert offenders == {}, (
        "heavy modules on a request path (import them inside the function that needs them): "
        + json.dumps(offenders, indent=1)
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from soko.shared.http import entry\nimport pandas\n", {"pandas"}),
        ("import numpy.linalg\n", {"numpy"}),
        ("from soko.shared.observability import tracer\ntracer.get()\n", {"aws_xray_sdk"}),
        ("from soko.shared.http import entry\nfrom soko.shared.consumer import EventConsumer\n", set()),
    ],
)
def test_the_check_fails_on_a_handler_that_imports_a_heavy_module(
    tmp_path: Path, source: str, expected: set[str]
) -> None:
    """A synthetic handler next to a copy of the code: an added ``import pandas`` is caught, and
    the report names the line that imported it."""
    app_dir = Path(__file__).resolve().parents[2] / "functions" / "app"
    (tmp_path / "soko").symlink_to(app_dir / "soko", target_is_directory=True)
    (tmp_path / "synthetic_handler.py").write_text(source)
    found = heavy_imports(tmp_path, "synthetic_handler")
    assert expected <= set(found) if expected else found == {}  # pandas brings numpy along
    if expected == {"pandas"}:
        assert found["pandas"].endswith("synthetic_handler.py:2")
