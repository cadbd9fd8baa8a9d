"""Read the SAM template the way AWS does: translate it with aws-sam-translator (offline), then
describe what the local runtime must run. Nothing here keeps a second list of resources: every
route, function, queue, schedule and state machine comes from the template."""

from __future__ import annotations

import copy
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CODE_BUCKET = "soko-local-code"
_SUB_REF = re.compile(r"\$\{([^!}][^}]*)\}")
_LOCAL_URI_KEYS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


class TemplateError(RuntimeError):
    pass


def load_yaml(path: Path) -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse  # noqa: PLC0415  (heavy; only when reading)

    document = yaml_parse(path.read_text())
    if not isinstance(document, dict):
        raise TemplateError(f"{path} is not a template")
    return document


def _local_uri(root: Path, value: Any) -> Any:
    if isinstance(value, str) and not value.startswith("s3://"):
        root = root.resolve()
        directory = (root / value).resolve()
        if not directory.is_dir() or not directory.is_relative_to(root):
            raise TemplateError(f"{value!r} in the template is not a directory under {root}")
        return f"s3://{CODE_BUCKET}/{directory.relative_to(root).as_posix()}"
    return value


def prepare(sam: dict[str, Any], root: Path) -> dict[str, Any]:
    """Rewrite local CodeUri/ContentUri to s3:// (the translator accepts only S3) and inline
    DefinitionUri files, as ``sam build``/``sam package`` would."""
    doc = copy.deepcopy(sam)
    function_globals = doc.get("Globals", {}).get("Function", {})
    if "CodeUri" in function_globals:
        function_globals["CodeUri"] = _local_uri(root, function_globals["CodeUri"])
    for resource in doc.get("Resources", {}).values():
        props = resource.get("Properties", {})
        key = _LOCAL_URI_KEYS.get(resource.get("Type", ""))
        if key and key in props:
            props[key] = _local_uri(root, props[key])
        if resource.get("Type") == "AWS::Serverless::StateMachine" and isinstance(
            props.get("DefinitionUri"), str
        ):
            props["Definition"] = json.loads((root / props.pop("DefinitionUri")).read_text())
    return doc


class _NoManagedPolicies:
    """The translator asks IAM for managed policy names only when a template uses bare names."""

    def load(self) -> dict[str, str]:
        return {}


def translate(
    sam: dict[str, Any], root: Path, parameters: dict[str, str], region: str, account_id: str
) -> dict[str, Any]:
    os.environ.setdefault("AWS_DEFAULT_REGION", region)  # the translator's own boto session needs one
    logging.getLogger("samtranslator").setLevel(logging.ERROR)  # its usage metrics are not ours to publish
    from samtranslator.public.exceptions import InvalidDocumentException  # noqa: PLC0415
    from samtranslator.translator.transform import transform  # noqa: PLC0415

    values: dict[str, Any] = {
        "AWS::Region": region,
        "AWS::AccountId": account_id,
        "AWS::Partition": "aws",
        **parameters,
    }
    try:
        result: dict[str, Any] = transform(prepare(sam, root), values, _NoManagedPolicies())
    except InvalidDocumentException as err:
        raise TemplateError("; ".join(str(c) for c in err.causes)) from None
    return result


# ---------------------------------------------------------------------------- references
def references(node: Any) -> set[str]:
    """Logical ids a template fragment refers to (Ref, Fn::GetAtt and ${X} inside Fn::Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("Ref"), str):
            found.add(node["Ref"])
        if "Fn::GetAtt" in node:
            target = node["Fn::GetAtt"]
            found.add(target[0] if isinstance(target, list) else str(target).split(".")[0])
        if "Fn::Sub" in node:
            sub = node["Fn::Sub"]
            text, local = (sub, {}) if isinstance(sub, str) else (sub[0], sub[1])
            for name in _SUB_REF.findall(text):
                if name not in local and "::" not in name:
                    found.add(name.split(".")[0])
        for value in node.values():
            found |= references(value)
    elif isinstance(node, list):
        for value in node:
            found |= references(value)
    return {name for name in found if not name.startswith("AWS::")}


def single_reference(node: Any) -> str:
    names = references(node)
    if len(names) != 1:
        raise TemplateError(f"expected a reference to one resource, found {sorted(names) or 'none'}")
    return names.pop()


# ---------------------------------------------------------------------------- the app model
@dataclass(frozen=True)
class FunctionDef:
    logical_id: str
    code_dir: Path


@dataclass(frozen=True)
class Authorizer:
    name: str
    function: str
    identity_source: tuple[str, ...]
    ttl_seconds: int
    simple_responses: bool


@dataclass(frozen=True)
class HttpApiDef:
    logical_id: str
    routes: tuple[tuple[str, str, str, str | None], ...]  # (method, path, function, authorizer)
    authorizers: dict[str, Authorizer]
    cors: dict[str, Any] | None


@dataclass(frozen=True)
class FunctionUrlDef:
    logical_id: str
    function: str
    auth_type: str


@dataclass(frozen=True)
class EventSourceDef:
    logical_id: str
    queue: str  # the logical id of the source: an SQS queue or a DynamoDB table (its stream)
    function: str
    batch_size: int
    report_batch_item_failures: bool
    enabled: bool
    kind: str = "sqs"  # "sqs" | "dynamodb"
    max_retry_attempts: int = -1  # streams: -1 retries until the record expires
    on_failure: str | None = None  # streams: the logical id of the on-failure SQS queue


@dataclass(frozen=True)
class ScheduleDef:
    logical_id: str
    expression: str
    target_kind: str  # "function" | "state_machine"
    target: str
    input: str | None
    enabled: bool


@dataclass(frozen=True)
class AppModel:
    cfn: dict[str, Any]
    functions: dict[str, FunctionDef]
    http_apis: tuple[HttpApiDef, ...]
    function_urls: tuple[FunctionUrlDef, ...]
    event_sources: tuple[EventSourceDef, ...]
    schedules: tuple[ScheduleDef, ...]
    state_machines: tuple[str, ...]
    ttl: dict[str, str] = field(default_factory=dict)  # table logical id -> TTL attribute


def _of_type(cfn: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v.get("Properties", {}) for k, v in cfn["Resources"].items() if v["Type"] == kind}


def _authorizers(body: dict[str, Any]) -> dict[str, Authorizer]:
    found = {}
    for name, scheme in body.get("components", {}).get("securitySchemes", {}).items():
        config = scheme.get("x-amazon-apigateway-authorizer")
        if not config or config.get("type") != "request":
            continue
        sources = config.get("identitySource", [])
        found[name] = Authorizer(
            name=name,
            function=single_reference(config["authorizerUri"]),
            identity_source=tuple([sources] if isinstance(sources, str) else sources),
            ttl_seconds=int(config.get("authorizerResultTtlInSeconds", 300)),
            simple_responses=bool(config.get("enableSimpleResponses", False)),
        )
    return found


def _http_api(logical_id: str, body: dict[str, Any]) -> HttpApiDef:
    authorizers = _authorizers(body)
    routes = []
    for path, operations in body.get("paths", {}).items():
        for method, operation in operations.items():
            integration = operation.get("x-amazon-apigateway-integration")
            if not integration:
                continue
            security = [name for item in operation.get("security", []) for name in item]
            authorizer = next((name for name in security if name in authorizers), None)
            verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
            route_path = "$default" if path == "$default" else path
            routes.append((verb, route_path, single_reference(integration["uri"]), authorizer))
    return HttpApiDef(logical_id, tuple(routes), authorizers, body.get("x-amazon-apigateway-cors"))


def _schedules(cfn: dict[str, Any], functions: set[str], machines: set[str]) -> list[ScheduleDef]:
    found = []
    for logical_id, props in _of_type(cfn, "AWS::Events::Rule").items():
        if "ScheduleExpression" not in props:
            continue
        for target in props.get("Targets", []):
            name = single_reference(target["Arn"])
            found.append(
                ScheduleDef(
                    logical_id,
                    props["ScheduleExpression"],
                    "function" if name in functions else "state_machine",
                    name,
                    target.get("Input"),
                    props.get("State", "ENABLED") == "ENABLED",
                )
            )
    for logical_id, props in _of_type(cfn, "AWS::Scheduler::Schedule").items():
        target = props["Target"]
        name = single_reference(target["Arn"])
        found.append(
            ScheduleDef(
                logical_id,
                props["ScheduleExpression"],
                "function" if name in functions else "state_machine",
                name,
                target.get("Input"),
                props.get("State", "ENABLED") == "ENABLED",
            )
        )
    unknown = [s for s in found if s.target not in functions | machines]
    if unknown:
        raise TemplateError(f"schedule {unknown[0].logical_id} targets {unknown[0].target}, not a function")
    return found


def _event_source(cfn: dict[str, Any], logical_id: str, props: dict[str, Any]) -> EventSourceDef:
    source = single_reference(props["EventSourceArn"])
    kind = {"AWS::SQS::Queue": "sqs", "AWS::DynamoDB::Table": "dynamodb"}.get(
        cfn["Resources"][source]["Type"]
    )
    if kind is None:
        raise TemplateError(f"{logical_id}: the local runtime polls SQS queues and DynamoDB streams only")
    destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    return EventSourceDef(
        logical_id=logical_id,
        queue=source,
        function=single_reference(props["FunctionName"]),
        batch_size=int(props.get("BatchSize", 10 if kind == "sqs" else 100)),
        report_batch_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
        enabled=bool(props.get("Enabled", True)),
        kind=kind,
        max_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
        on_failure=single_reference(destination) if destination else None,
    )


def describe(cfn: dict[str, Any], root: Path) -> AppModel:
    functions = {}
    for logical_id, props in _of_type(cfn, "AWS::Lambda::Function").items():
        code = props.get("Code", {})
        if code.get("S3Bucket") != CODE_BUCKET:
            raise TemplateError(f"{logical_id} has no local code directory")
        functions[logical_id] = FunctionDef(logical_id, root / code["S3Key"])
    machines = set(_of_type(cfn, "AWS::StepFunctions::StateMachine"))
    apis = tuple(
        _http_api(k, p["Body"])
        for k, p in _of_type(cfn, "AWS::ApiGatewayV2::Api").items()
        if p.get("ProtocolType", "HTTP") == "HTTP" and "Body" in p
    )
    urls = tuple(
        FunctionUrlDef(k, single_reference(p["TargetFunctionArn"]), p.get("AuthType", "NONE"))
        for k, p in _of_type(cfn, "AWS::Lambda::Url").items()
    )
    sources = tuple(
        _event_source(cfn, k, p) for k, p in _of_type(cfn, "AWS::Lambda::EventSourceMapping").items()
    )
    ttl = {
        k: p["TimeToLiveSpecification"]["AttributeName"]
        for k, p in _of_type(cfn, "AWS::DynamoDB::Table").items()
        if p.get("TimeToLiveSpecification", {}).get("Enabled")
    }
    return AppModel(
        cfn,
        functions,
        apis,
        urls,
        sources,
        tuple(_schedules(cfn, set(functions), machines)),
        tuple(sorted(machines)),
        ttl,
    )


def load_app(
    template: Path,
    *,
    parameters: dict[str, str],
    region: str,
    account_id: str,
    document: dict[str, Any] | None = None,
) -> AppModel:
    """The app ``template`` describes (``document``: the template already parsed, if it is)."""
    root = template.parent.resolve()
    cfn = translate(
        document if document is not None else load_yaml(template), root, parameters, region, account_id
    )
    return describe(cfn, root)
