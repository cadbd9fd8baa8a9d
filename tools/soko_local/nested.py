"""Nested stacks, read as one application.

``template.yaml`` holds the stateful resources and the HTTP API; each domain's functions live in a
nested stack (``AWS::Serverless::Application`` with a local ``Location``, ``stacks/<domain>.yaml``),
which ``sam build``/``sam deploy`` turn into ``AWS::CloudFormation::Stack`` resources. The local
runtime, the functional tests and the template checks need the application as one flat template,
so each local nested stack is translated on its own (with its own ``Globals``) and merged into its
parent, exactly as CloudFormation would wire it:

- a child's ``Ref`` to one of its parameters becomes the expression the parent passes for it (or
  the parameter's ``Default``); inside ``Fn::Sub`` strings ``${Param}`` becomes ``${X}`` /
  ``${X.Attr}`` when the parent passes a ``Ref``/``Fn::GetAtt``, the literal when it passes text;
- the parent's (or a sibling's) ``Fn::GetAtt [Child, Outputs.Name]`` becomes the child's output
  expression;
- logical ids must be unique across the whole application (a collision is an error, not a rename),
  so a resource keeps its name in the translation, the runtime and the checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NESTED_STACK = "AWS::CloudFormation::Stack"
_SUB_REF = re.compile(r"\$\{([^!}][^}]*)\}")


class NestedStackError(RuntimeError):
    pass


@dataclass(frozen=True)
class Stack:
    """One template of the application: the root (``logical_id`` None) or a nested stack."""

    logical_id: str | None
    path: Path


def local_location(value: Any) -> str | None:
    """A nested stack's template location if it is a file of the project (not yet packaged)."""
    if isinstance(value, str) and not value.startswith(("s3://", "https://", "http://")):
        return value
    return None


def stacks(sam: dict[str, Any], path: Path, load: Callable[[Path], dict[str, Any]]) -> list[Stack]:
    """The root template and every local nested stack under it (depth first)."""
    found = [Stack(None, path)]
    for logical_id, resource in sam.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Application":
            continue
        location = local_location(resource.get("Properties", {}).get("Location"))
        if location is None:
            continue
        child = (path.parent / location).resolve()
        found += [Stack(s.logical_id or logical_id, s.path) for s in stacks(load(child), child, load)]
    return found


def _sub_text(expression: Any) -> str | None:
    """How a parameter's value reads inside an Fn::Sub string, if it can be written there."""
    if isinstance(expression, str | int | float):
        return str(expression)
    if isinstance(expression, dict) and len(expression) == 1:
        ref = expression.get("Ref")
        if isinstance(ref, str):
            return "${" + ref + "}"
        target = expression.get("Fn::GetAtt")
        if target is not None:
            parts = target if isinstance(target, list) else str(target).split(".", 1)
            return "${" + ".".join(str(p) for p in parts) + "}"
    return None


def substitute(node: Any, values: dict[str, Any]) -> Any:
    """``node`` with every ``Ref``/``${}`` to a name in ``values`` replaced by its expression."""
    if isinstance(node, list):
        return [substitute(v, values) for v in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1 and isinstance(node.get("Ref"), str) and node["Ref"] in values:
        return values[node["Ref"]]
    if len(node) == 1 and "Fn::Sub" in node:
        return {"Fn::Sub": _substitute_sub(node["Fn::Sub"], values)}
    return {k: substitute(v, values) for k, v in node.items()}


def _substitute_sub(sub: Any, values: dict[str, Any]) -> Any:
    text, local = (sub, {}) if isinstance(sub, str) else (sub[0], dict(sub[1]))
    local = {k: substitute(v, values) for k, v in local.items()}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in local or name not in values:
            return match.group(0)
        written = _sub_text(values[name])
        if written is None:  # an expression Fn::Sub cannot inline: pass it as a variable
            local[name] = values[name]
            return match.group(0)
        return written

    text = _SUB_REF.sub(replace, text)
    return [text, local] if local else text


def outputs_of(node: Any, outputs: dict[str, dict[str, Any]]) -> Any:
    """``node`` with ``Fn::GetAtt [Stack, Outputs.Name]`` replaced by the nested stack's output."""
    if isinstance(node, list):
        return [outputs_of(v, outputs) for v in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1 and "Fn::GetAtt" in node:
        target = node["Fn::GetAtt"]
        stack, attribute = target if isinstance(target, list) else str(target).split(".", 1)
        if stack in outputs:
            return _output(outputs, stack, attribute)
    if len(node) == 1 and "Fn::Sub" in node:
        sub = node["Fn::Sub"]
        text, local = (sub, {}) if isinstance(sub, str) else (sub[0], dict(sub[1]))
        values = {
            name: _output(outputs, *name.split(".", 1))
            for name in _SUB_REF.findall(text)
            if name.split(".", 1)[0] in outputs and name not in local
        }
        # ``${Stack.Outputs.X}`` reads as a dotted name: substitute it like a parameter.
        return {"Fn::Sub": _substitute_sub([text, local] if local else text, values)}
    return {k: outputs_of(v, outputs) for k, v in node.items()}


def _output(outputs: dict[str, dict[str, Any]], stack: str, attribute: str) -> Any:
    name = attribute.removeprefix("Outputs.")
    if not attribute.startswith("Outputs.") or name not in outputs[stack]:
        raise NestedStackError(f"{stack} has no output {name!r}")
    return outputs[stack][name]


def _parameter_values(logical_id: str, given: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """What each of a nested stack's parameters is, in its parent's terms."""
    declared = child.get("Parameters", {})
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise NestedStackError(f"{logical_id} passes parameters its template does not declare: {unknown}")
    values = {}
    for name, spec in declared.items():
        if name not in given and "Default" not in spec:
            raise NestedStackError(f"{logical_id} gives its nested stack no value for {name}")
        values[name] = given.get(name, spec.get("Default"))
    return values


def _without_dependencies_on(resource: dict[str, Any], stacks: dict[str, Any]) -> dict[str, Any]:
    """A resource's DependsOn without the nested stacks (their resources are inlined)."""
    depends = resource.get("DependsOn")
    if not isinstance(depends, list | str):
        return resource
    kept = [d for d in ([depends] if isinstance(depends, str) else depends) if d not in stacks]
    rest = {k: v for k, v in resource.items() if k != "DependsOn"}
    return {**rest, "DependsOn": kept} if kept else rest


def merge(parent: dict[str, Any], children: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``parent`` with each child (by the nested stack's logical id) inlined."""
    resources = dict(parent["Resources"])
    conditions = dict(parent.get("Conditions", {}))
    outputs: dict[str, dict[str, Any]] = {}
    inlined: dict[str, dict[str, Any]] = {}
    for logical_id, child in children.items():
        given = resources.pop(logical_id).get("Properties", {}).get("Parameters", {})
        values = _parameter_values(logical_id, given, child)
        inlined[logical_id] = substitute(
            {k: child.get(k, {}) for k in ("Resources", "Conditions", "Outputs")}, values
        )
        outputs[logical_id] = {k: v["Value"] for k, v in inlined[logical_id]["Outputs"].items()}
    # Outputs may refer to a sibling's outputs (through parameters): resolve until none are left.
    for _ in range(len(outputs) + 1):
        resolved = {k: outputs_of(v, outputs) for k, v in outputs.items()}
        if resolved == outputs:
            break
        outputs = resolved
    for logical_id, child in inlined.items():
        for key, resource in child["Resources"].items():
            if key in resources:
                raise NestedStackError(f"{key} is declared twice (in {logical_id} and elsewhere)")
            resources[key] = resource
        for key, condition in child["Conditions"].items():
            if conditions.setdefault(key, condition) != condition:
                raise NestedStackError(f"condition {key} differs between {logical_id} and elsewhere")
    merged = {
        **parent,
        "Resources": {
            k: outputs_of(_without_dependencies_on(v, children), outputs) for k, v in resources.items()
        },
        "Outputs": outputs_of(parent.get("Outputs", {}), outputs),
    }
    if conditions:
        merged["Conditions"] = conditions
    return merged


_LOCAL_PATHS = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
}


def merge_sam(sam: dict[str, Any], path: Path, load: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    """The application as written (SAM form), every local nested stack's resources inlined into one
    document whose local paths are relative to the root template's folder (for the checks that
    read the template as written: descriptions, reasons, globals)."""
    children = {}
    for logical_id, resource in sam.get("Resources", {}).items():
        location = local_location(resource.get("Properties", {}).get("Location"))
        if resource.get("Type") != "AWS::Serverless::Application" or location is None:
            continue
        child_path = (path.parent / location).resolve()
        child = merge_sam(load(child_path), child_path, load)
        for resource_ in child.get("Resources", {}).values():
            props = resource_.get("Properties", {})
            for key in _LOCAL_PATHS.get(resource_.get("Type", ""), ()):
                if isinstance(props.get(key), str):
                    props[key] = (
                        (child_path.parent / props[key])
                        .resolve()
                        .relative_to(path.parent.resolve())
                        .as_posix()
                    )
        children[logical_id] = child
    return merge(sam, children) if children else sam
