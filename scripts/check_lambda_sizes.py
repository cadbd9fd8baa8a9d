"""After `sam build`: does every function fit Lambda's size limit, its layers included?

Lambda refuses a function whose code and layers add up to more than 262,144,000 bytes unzipped
(250 MiB). This reads the build template (``.aws-sam/build/template.yaml``) and, recursively, the
build templates of nested applications (``AWS::Serverless::Application`` with a local template:
``.aws-sam/build/<App>/template.yaml``), adds up each function's code directory and the
directories of its layers (the template's Globals included; a layer passed to a nested stack as a
parameter is followed to the parent's layer), prints a table and fails when a function is over
the limit minus HEADROOM.

HEADROOM is 10% of the limit (26,214,400 bytes, 25 MiB): what a function needs to absorb a year of
dependency upgrades (a numpy or pandas release moves a wheel by a few MB), a new dependency of
some size or much more of our own code without `make build` starting to fail the day before a
deploy would. A function in the margin is a warning to act on, while there is still time.

Usage: python scripts/check_lambda_sizes.py [BUILD_DIR] [--all]   (BUILD_DIR: .aws-sam/build)
Needs only PyYAML (the SAM CLI's environment has it). Exit status 1 when a function does not fit.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LIMIT = 262_144_000  # bytes, unzipped: a function's code and all its layers
HEADROOM = LIMIT // 10
SHOWN = 10  # rows of the table without --all (the largest functions)

FUNCTION_TYPES = {"AWS::Serverless::Function": "CodeUri", "AWS::Lambda::Function": "Code"}
LAYER_TYPES = {"AWS::Serverless::LayerVersion": "ContentUri", "AWS::Lambda::LayerVersion": "Content"}
APPLICATION = "AWS::Serverless::Application"


class CheckError(Exception):
    """The build cannot be measured (no build, a layer not built here, ...)."""


@dataclass(frozen=True)
class Layer:
    name: str  # as the table shows it: logical id, with its stack's path
    path: Path


@dataclass
class Function:
    name: str
    code: Path
    layers: list[Layer] = field(default_factory=list)
    code_bytes: int = 0
    layer_bytes: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.code_bytes + sum(self.layer_bytes.values())


# ---------------------------------------------------------------------------- reading build templates
class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !GetAtt, !Sub, ...) read as their long forms."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as err:
        raise CheckError(f"no build template at {path} (run `sam build` first)") from err
    loaded = yaml.load(text, Loader=_Loader)  # noqa: S506  (a SafeLoader subclass)
    if not isinstance(loaded, dict):
        raise CheckError(f"{path} is not a template")
    return loaded


def _local_dir(base: Path, value: Any) -> Path | None:
    """The built directory a CodeUri/ContentUri/Code/Content names, or None (S3, inline, image)."""
    if isinstance(value, str) and "://" not in value:
        return (base / value).resolve()
    return None


# ---------------------------------------------------------------------------- resolving functions
def _layer_of(reference: Any, layers: dict[str, Layer], parameters: dict[str, Layer | None]) -> Layer:
    if isinstance(reference, dict) and set(reference) == {"Ref"}:
        name = str(reference["Ref"])
        if name in layers:
            return layers[name]
        found = parameters.get(name)
        if found is not None:
            return found
        raise CheckError(f"layer {name!r} is neither built in this stack nor passed to it as a built layer")
    raise CheckError(f"layer {reference!r} is not built here (an ARN or an expression): its size is unknown")


def _application_parameters(
    props: dict[str, Any], layers: dict[str, Layer], parameters: dict[str, Layer | None]
) -> dict[str, Layer | None]:
    """The nested stack's parameters that carry one of our built layers (by Ref)."""
    passed: dict[str, Layer | None] = {}
    for name, value in (props.get("Parameters") or {}).items():
        if isinstance(value, dict) and set(value) == {"Ref"}:
            ref = str(value["Ref"])
            passed[str(name)] = layers.get(ref) or parameters.get(ref)
    return passed


def functions_in(
    template_path: Path, *, prefix: str = "", parameters: dict[str, Layer | None] | None = None
) -> Iterator[Function]:
    """Every function of a build template and of its nested applications, with its layers."""
    parameters = parameters or {}
    template = load_template(template_path)
    base = template_path.parent
    resources: dict[str, Any] = template.get("Resources") or {}
    globals_layers = list(((template.get("Globals") or {}).get("Function") or {}).get("Layers") or [])
    layers = {
        logical_id: Layer(prefix + logical_id, path)
        for logical_id, resource in resources.items()
        if resource.get("Type") in LAYER_TYPES
        and (path := _local_dir(base, (resource.get("Properties") or {}).get(LAYER_TYPES[resource["Type"]])))
    }
    for logical_id, resource in resources.items():
        kind, props = resource.get("Type"), resource.get("Properties") or {}
        if kind in FUNCTION_TYPES:
            if props.get("PackageType") == "Image":
                continue  # an image's limit is 10 GB, and it has no layers
            code = _local_dir(base, props.get(FUNCTION_TYPES[kind]))
            if code is None:
                raise CheckError(f"{prefix}{logical_id}: its code is not a directory of this build")
            references = (globals_layers if kind == "AWS::Serverless::Function" else []) + list(
                props.get("Layers") or []
            )
            yield Function(prefix + logical_id, code, [_layer_of(r, layers, parameters) for r in references])
        elif kind == APPLICATION:
            location = props.get("Location")
            if isinstance(location, str) and "://" not in location:
                yield from functions_in(
                    (base / location).resolve(),
                    prefix=f"{prefix}{logical_id}/",
                    parameters=_application_parameters(props, layers, parameters),
                )


# ---------------------------------------------------------------------------- measuring
def tree_bytes(path: Path, cache: dict[Path, int]) -> int:
    """Bytes of every file under ``path`` (as unzipped), symbolic links followed as zip does."""
    if path not in cache:
        if not path.is_dir():
            raise CheckError(f"{path} is not a built directory")
        total = 0
        for root, _, files in os.walk(path, followlinks=True):
            for name in files:
                total += (Path(root) / name).stat().st_size
        cache[path] = total
    return cache[path]


def measure(build_dir: Path) -> list[Function]:
    cache: dict[Path, int] = {}
    found = list(functions_in(build_dir / "template.yaml"))
    for function in found:
        function.code_bytes = tree_bytes(function.code, cache)
        function.layer_bytes = {layer.name: tree_bytes(layer.path, cache) for layer in function.layers}
    return sorted(found, key=lambda f: (-f.total, f.name))


def _mb(value: int) -> str:
    return f"{value / 1_000_000:,.1f} MB"


def report(functions: list[Function], *, show_all: bool = False) -> tuple[str, bool]:
    """(the table, whether every function fits with HEADROOM to spare)."""
    budget = LIMIT - HEADROOM
    over = [f for f in functions if f.total > budget]
    shown = functions if show_all else functions[:SHOWN] + [f for f in over if f not in functions[:SHOWN]]
    width = max([len(f.name) for f in shown] + [len("function")])
    lines = [
        f"Lambda size check: code + layers unzipped, limit {LIMIT:,} bytes, failing above {budget:,} "
        f"(headroom {HEADROOM:,} bytes kept free)",
        f"  {'function':<{width}}  {'bytes':>13}  {'headroom':>13}  result  made of",
    ]
    for f in shown:
        parts = ", ".join([f"code {_mb(f.code_bytes)}", *(f"{n} {_mb(b)}" for n, b in f.layer_bytes.items())])
        verdict = "OVER" if f.total > LIMIT else ("MARGIN" if f.total > budget else "ok")
        lines.append(f"  {f.name:<{width}}  {f.total:>13,}  {LIMIT - f.total:>13,}  {verdict:<6}  {parts}")
    if len(shown) < len(functions):
        lines.append(f"  ... and {len(functions) - len(shown)} smaller functions (--all lists them)")
    if over:
        lines.append(
            f"FAIL: {len(over)} function(s) above {budget:,} bytes: "
            + ", ".join(f.name for f in over)
            + " (trim a layer, see layers/training/Makefile)"
        )
    else:
        lines.append(f"ok: {len(functions)} functions fit, each with at least {HEADROOM:,} bytes to spare")
    return "\n".join(lines), not over


def main(argv: list[str]) -> int:
    show_all = "--all" in argv
    paths = [a for a in argv if not a.startswith("--")]
    build_dir = Path(paths[0] if paths else ".aws-sam/build")
    try:
        functions = measure(build_dir)
    except CheckError as err:
        print(f"Lambda size check: error: {err}", file=sys.stderr)
        return 1
    if not functions:
        print(f"Lambda size check: error: no function in {build_dir / 'template.yaml'}", file=sys.stderr)
        return 1
    text, fits = report(functions, show_all=show_all)
    print(text)
    return 0 if fits else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
