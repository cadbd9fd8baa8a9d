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

from soko_local import nested

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


def _local_uri(base: Path, value: Any, root: Path | None = None) -> Any:
    """A local directory (relative to ``base``, the template's folder) as an s3:// URI whose key is
    its path under ``root``, the project (the same folder for a top-level template)."""
    if isinstance(value, str) and not value.startswith("s3://"):
        root = (root or base).resolve()
        directory = (base.resolve() / value).resolve()
        if not directory.is_dir() or not directory.is_relative_to(root):
            raise TemplateError(f"{value!r} in the template is not a directory under {root}")
        return f"s3://{CODE_BUCKET}/{directory.relative_to(root).as_posix()}"
    return value


def prepare(sam: dict[str, Any], base: Path, root: Path | None = None) -> dict[str, Any]:
    """Rewrite local CodeUri/ContentUri to s3:// (the translator accepts only S3) and inline
    DefinitionUri files, as ``sam build``/``sam package`` would. Paths are relative to ``base``
    (the template's folder); code keys are relative to ``root`` (the project, default ``base``)."""
    doc = copy.deepcopy(sam)
    function_globals = doc.get("Globals", {}).get("Function", {})
    if "CodeUri" in function_globals:
        function_globals["CodeUri"] = _local_uri(base, function_globals["CodeUri"], root)
    for resource in doc.get("Resources", {}).values():
        props = resource.get("Properties", {})
        key = _LOCAL_URI_KEYS.get(resource.get("Type", ""))
        if key and key in props:
            props[key] = _local_uri(base, props[key], root)
        if resource.get("Type") == "AWS::Serverless::StateMachine" and isinstance(
            props.get("DefinitionUri"), str
        ):
            props["Definition"] = json.loads((base / props.pop("DefinitionUri")).read_text())
    return doc


class _NoManagedPolicies:
    """The translator asks IAM for managed policy names only when a template uses bare names."""

    def load(self) -> dict[str, str]:
        return {}


def translate(
    sam: dict[str, Any],
    root: Path,
    parameters: dict[str, str],
    region: str,
    account_id: str,
    *,
    base: Path | None = None,
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
        result: dict[str, Any] = transform(prepare(sam, base or root, root), values, _NoManagedPolicies())
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


def function_of(cfn: dict[str, Any], node: Any) -> str:
    """The function a reference names: itself, or the function behind the alias or version it
    names (``AutoPublishAlias``: routes, authorizers and URLs invoke the published alias)."""
    name = single_reference(node)
    resource = cfn["Resources"].get(name, {})
    if resource.get("Type") in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
        return single_reference(resource["Properties"]["FunctionName"])
    return name


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


def _authorizers(cfn: dict[str, Any], body: dict[str, Any]) -> dict[str, Authorizer]:
    found = {}
    for name, scheme in body.get("components", {}).get("securitySchemes", {}).items():
        config = scheme.get("x-amazon-apigateway-authorizer")
        if not config or config.get("type") != "request":
            continue
        sources = config.get("identitySource", [])
        found[name] = Authorizer(
            name=name,
            function=function_of(cfn, config["authorizerUri"]),
            identity_source=tuple([sources] if isinstance(sources, str) else sources),
            ttl_seconds=int(config.get("authorizerResultTtlInSeconds", 300)),
            simple_responses=bool(config.get("enableSimpleResponses", False)),
        )
    return found


def _http_api(cfn: dict[str, Any], logical_id: str, body: dict[str, Any]) -> HttpApiDef:
    authorizers = _authorizers(cfn, body)
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
            routes.append((verb, route_path, function_of(cfn, integration["uri"]), authorizer))
    return HttpApiDef(logical_id, tuple(routes), authorizers, body.get("x-amazon-apigateway-cors"))


def _parameter(cfn: dict[str, Any], node: Any, parameters: dict[str, str]) -> Any:
    """A template parameter's value where ``node`` is a ``Ref`` to one (as CloudFormation resolves it)."""
    if not (isinstance(node, dict) and set(node) == {"Ref"} and node["Ref"] in cfn.get("Parameters", {})):
        return node
    spec = cfn["Parameters"][node["Ref"]]
    value = parameters.get(node["Ref"], spec.get("Default", ""))
    return str(value).split(",") if spec.get("Type") == "CommaDelimitedList" else value


def _http_api_resources(
    cfn: dict[str, Any], api_id: str, props: dict[str, Any], parameters: dict[str, str]
) -> HttpApiDef:
    """An HTTP API declared as API Gateway v2 resources: its routes and authorizers may be
    declared anywhere in the (flattened) application, each naming the API by ``ApiId``."""
    resources = cfn["Resources"]
    authorizers = {
        logical_id: Authorizer(
            name=logical_id,
            function=function_of(cfn, a["AuthorizerUri"]),
            identity_source=tuple(a.get("IdentitySource", [])),
            ttl_seconds=int(a.get("AuthorizerResultTtlInSeconds", 300)),
            simple_responses=bool(a.get("EnableSimpleResponses", False)),
        )
        for logical_id, a in _of_type(cfn, "AWS::ApiGatewayV2::Authorizer").items()
        if references(a.get("ApiId")) == {api_id} and a.get("AuthorizerType") == "REQUEST"
    }
    routes = []
    for logical_id, route in _of_type(cfn, "AWS::ApiGatewayV2::Route").items():
        if references(route.get("ApiId")) != {api_id}:
            continue
        integration = resources[single_reference(route["Target"])].get("Properties", {})
        method, _, path = str(route["RouteKey"]).partition(" ")
        authorizer = None
        if route.get("AuthorizationType") == "CUSTOM":
            authorizer = single_reference(route.get("AuthorizerId"))
            if authorizer not in authorizers:
                raise TemplateError(f"{logical_id}: {authorizer} is not a REQUEST authorizer of {api_id}")
        verb = "ANY" if route["RouteKey"] == "$default" else method
        routes.append((verb, path or "$default", function_of(cfn, integration["IntegrationUri"]), authorizer))
    cors = {
        key[0].lower() + key[1:]: _parameter(cfn, value, parameters)
        for key, value in props.get("CorsConfiguration", {}).items()
    }
    return HttpApiDef(api_id, tuple(routes), authorizers, cors or None)


def _schedules(cfn: dict[str, Any], functions: set[str], machines: set[str]) -> list[ScheduleDef]:
    found = []
    for logical_id, props in _of_type(cfn, "AWS::Events::Rule").items():
        if "ScheduleExpression" not in props:
            continue
        for target in props.get("Targets", []):
            name = function_of(cfn, target["Arn"])
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
        name = function_of(cfn, target["Arn"])
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
        function=function_of(cfn, props["FunctionName"]),
        batch_size=int(props.get("BatchSize", 10 if kind == "sqs" else 100)),
        report_batch_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
        enabled=bool(props.get("Enabled", True)),
        kind=kind,
        max_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
        on_failure=single_reference(destination) if destination else None,
    )


def describe(cfn: dict[str, Any], root: Path, parameters: dict[str, str] | None = None) -> AppModel:
    functions = {}
    for logical_id, props in _of_type(cfn, "AWS::Lambda::Function").items():
        code = props.get("Code", {})
        if code.get("S3Bucket") != CODE_BUCKET:
            raise TemplateError(f"{logical_id} has no local code directory")
        functions[logical_id] = FunctionDef(logical_id, root / code["S3Key"])
    machines = set(_of_type(cfn, "AWS::StepFunctions::StateMachine"))
    apis = tuple(
        _http_api(cfn, k, p["Body"]) if "Body" in p else _http_api_resources(cfn, k, p, parameters or {})
        for k, p in _of_type(cfn, "AWS::ApiGatewayV2::Api").items()
        if p.get("ProtocolType", "HTTP") == "HTTP"
    )
    urls = tuple(
        FunctionUrlDef(k, function_of(cfn, p["TargetFunctionArn"]), p.get("AuthType", "NONE"))
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


def translate_app(
    template: Path,
    *,
    parameters: dict[str, str],
    region: str,
    account_id: str,
    document: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``template`` translated, with every local nested stack translated and inlined (``nested``)."""
    root = template.parent.resolve()
    return _translate_tree(
        document if document is not None else load_yaml(template),
        template.resolve(),
        root,
        parameters=parameters,
        region=region,
        account_id=account_id,
    )


def _translate_tree(
    sam: dict[str, Any], path: Path, root: Path, *, parameters: dict[str, str], region: str, account_id: str
) -> dict[str, Any]:
    cfn = translate(sam, root, parameters, region, account_id, base=path.parent)
    children = {}
    for logical_id, resource in cfn["Resources"].items():
        location = (
            nested.local_location(resource.get("Properties", {}).get("TemplateURL"))
            if resource["Type"] == nested.NESTED_STACK
            else None
        )
        if location is not None:
            child = (path.parent / location).resolve()
            if not child.is_file() or not child.is_relative_to(root):
                raise TemplateError(f"{logical_id}: {location!r} is not a template under {root}")
            try:
                children[logical_id] = _translate_tree(
                    load_yaml(child), child, root, parameters={}, region=region, account_id=account_id
                )
            except TemplateError as err:
                raise TemplateError(f"{child.relative_to(root)}: {err}") from None
    if not children:
        return cfn
    try:
        return nested.merge(cfn, children)
    except nested.NestedStackError as err:
        raise TemplateError(str(err)) from None


def load_app(
    template: Path,
    *,
    parameters: dict[str, str],
    region: str,
    account_id: str,
    document: dict[str, Any] | None = None,
) -> AppModel:
    """The app ``template`` describes (``document``: the template already parsed, if it is), its
    nested stacks inlined."""
    cfn = translate_app(
        template, parameters=parameters, region=region, account_id=account_id, document=document
    )
    return describe(cfn, template.parent.resolve(), parameters)


@dataclass(frozen=True)
class StackTemplate:
    """One stack that ``sam deploy`` creates: the root or a nested stack, translated on its own."""

    name: str  # the nested stack's logical id, or the root template's file name
    path: Path
    text: str  # as written (cfn-lint reports its line numbers)
    cfn: dict[str, Any]  # translated alone: its own nested stacks stay AWS::CloudFormation::Stack


def stack_templates(
    template: Path, *, parameters: dict[str, str], region: str, account_id: str
) -> list[StackTemplate]:
    """Every stack of the application, each translated as CloudFormation will receive it."""
    root = template.parent.resolve()
    found = []
    for stack in nested.stacks(load_yaml(template), template.resolve(), load_yaml):
        sam = load_yaml(stack.path)
        cfn = translate(
            sam,
            root,
            parameters if stack.logical_id is None else {},
            region,
            account_id,
            base=stack.path.parent,
        )
        name = stack.logical_id or template.name
        found.append(StackTemplate(name, stack.path, stack.path.read_text(), cfn))
    return found


def merged_sam(template: Path) -> dict[str, Any]:
    """The application as written, nested stacks inlined (``nested.merge_sam``)."""
    return nested.merge_sam(load_yaml(template), template.resolve(), load_yaml)
