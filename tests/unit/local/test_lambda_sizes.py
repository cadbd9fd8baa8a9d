"""scripts/check_lambda_sizes.py on small fake `sam build` trees: what fits, what does not, layers
from Globals, and functions in nested applications whose layers come from the parent stack."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def sizes() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_lambda_sizes", ROOT / "scripts" / "check_lambda_sizes.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def write(path: Path, size: int) -> None:
    """A file of ``size`` bytes (sparse: the tests stay fast and small on disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.truncate(size)


ROOT_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
    Layers:
      - Ref: DepsLayer
Resources:
  DepsLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: DepsLayer
  BigLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: BigLayer
  SmallFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: SmallFunction
      Handler: app.handler
  TrainFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: TrainFunction
      Handler: app.handler
      Layers: [!Ref BigLayer]
"""

NESTED_APP = """\
  Ml:
    Type: AWS::Serverless::Application
    Properties:
      Location: Ml/template.yaml
      Parameters:
        BigLayerArn: !Ref BigLayer
        Stage: dev
"""

NESTED_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  BigLayerArn: {Type: String}
  Stage: {Type: String}
Resources:
  OwnLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: OwnLayer
  NestedTrainFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: NestedTrainFunction
      Handler: app.handler
      Layers:
        - !Ref BigLayerArn
        - Ref: OwnLayer
"""


def build_tree(tmp_path: Path, big: int, *, nested: bool = False, nested_extra: int = 0) -> Path:
    build = tmp_path / "build"
    write(build / "DepsLayer" / "python" / "deps.py", 40_000_000)
    write(build / "BigLayer" / "python" / "prophet" / "model.bin", big)
    write(build / "SmallFunction" / "app.py", 1_000)
    write(build / "TrainFunction" / "app.py", 2_000)
    write(build / "TrainFunction" / "soko" / "ml.py", 3_000)
    template = ROOT_TEMPLATE
    if nested:
        template += NESTED_APP
        (build / "Ml").mkdir()
        (build / "Ml" / "template.yaml").write_text(NESTED_TEMPLATE)
        write(build / "Ml" / "OwnLayer" / "python" / "own.py", nested_extra)
        write(build / "Ml" / "NestedTrainFunction" / "app.py", 500)
    (build / "template.yaml").write_text(template)
    return build


def test_every_function_is_its_code_plus_its_layers_globals_included(
    sizes: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = build_tree(tmp_path, 100_000_000)
    totals = {f.name: (f.total, sorted(f.layer_bytes)) for f in sizes.measure(build)}
    assert totals == {
        "TrainFunction": (140_005_000, ["BigLayer", "DepsLayer"]),
        "SmallFunction": (40_001_000, ["DepsLayer"]),
    }
    assert sizes.main([str(build)]) == 0
    out = capsys.readouterr().out
    assert "TrainFunction" in out and f"{sizes.LIMIT - 140_005_000:,}" in out
    assert "ok: 2 functions fit" in out


def test_a_function_over_the_limit_fails_and_is_named(
    sizes: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = build_tree(tmp_path, sizes.LIMIT - 40_000_000)  # 5,000 bytes of code over
    assert sizes.main([str(build)]) == 1
    out = capsys.readouterr().out
    assert "FAIL: 1 function(s)" in out and "TrainFunction" in out.splitlines()[-1]
    row = next(line for line in out.splitlines() if line.strip().startswith("TrainFunction"))
    assert "-5,000" in row and "OVER" in row


def test_inside_the_limit_but_within_the_headroom_fails_too(sizes: ModuleType, tmp_path: Path) -> None:
    build = build_tree(tmp_path, sizes.LIMIT - sizes.HEADROOM - 40_000_000)
    functions = sizes.measure(build)
    text, fits = sizes.report(functions)
    assert not fits and "MARGIN" in text
    assert functions[0].total < sizes.LIMIT


def test_nested_applications_are_measured_with_the_parents_layers(
    sizes: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = build_tree(tmp_path, 150_000_000, nested=True, nested_extra=60_000_000)
    by_name = {f.name: f for f in sizes.measure(build)}
    nested = by_name["Ml/NestedTrainFunction"]
    assert sorted(nested.layer_bytes) == ["BigLayer", "Ml/OwnLayer"]
    assert nested.total == 150_000_000 + 60_000_000 + 500
    assert sizes.main([str(build), "--all"]) == 0
    build = build_tree(tmp_path / "over", 150_000_000, nested=True, nested_extra=100_000_000)
    assert sizes.main([str(build)]) == 1
    assert "Ml/NestedTrainFunction" in capsys.readouterr().out.splitlines()[-1]


def test_a_build_that_cannot_be_measured_is_an_error(
    sizes: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sizes.main([str(tmp_path / "nothing")]) == 1
    assert "run `sam build` first" in capsys.readouterr().err
    build = build_tree(tmp_path, 1_000)
    text = (build / "template.yaml").read_text()
    external = "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:1"
    (build / "template.yaml").write_text(text.replace("Layers: [!Ref BigLayer]", f"Layers: [{external}]"))
    assert sizes.main([str(build)]) == 1
    assert "size is unknown" in capsys.readouterr().err
