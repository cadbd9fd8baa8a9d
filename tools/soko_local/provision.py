"""Provision a translated template into moto (server or in-process ``mock_aws``).

moto's CloudFormation builds most resources; what it cannot (or builds in a way that would break
the local runtime) is handled here, each for a stated reason:

- API Gateway v2, Function URLs, event-source mappings and schedules are served by the local
  runtime itself (moto has no data plane for the first two; its SQS mapping would consume
  messages inline on send; its scheduler never fires).
- Secrets and schedule groups (for one-time timers, which ``soko_local.timers`` fires) are created
  first through the API and substituted where referenced (refer to a group by ``Ref``, its name, or
  in an ``Fn::Sub``); so is a WebSocket API's id (its lower-cased logical id), which functions
  use to reach its ``@connections`` API.
- State machines are created through the API: with execution enabled, moto's Step Functions API
  reads a different backend than its CloudFormation writes to, and it ignores
  ``DefinitionSubstitutions`` (moto resolves them for us through a stack Output instead).
- ``Ref`` to an event bus becomes ``GetAtt Name`` (moto's bus has no Ref value); TTL, which moto's
  CloudFormation drops, is enabled afterwards.
- The event lake's Firehose delivery streams, Glue catalogue and Athena workgroups and named queries
  (which moto's CloudFormation does not build) are skipped, with local names (and a stream's ARN)
  substituted where referenced; each delivery stream is registered with ``soko_local.lake``, which
  writes the events the bus sends it to the embedded S3 (see there for what differs from AWS).
"""

from __future__ import annotations

import base64
import functools
import json
import secrets
import string
from dataclasses import dataclass
from typing import Any

from soko_local import lake, moto_patches
from soko_local.template import AppModel, references

_SERVED_LOCALLY = {
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Deployment",
    "AWS::Lambda::Url",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Scheduler::Schedule",
    "AWS::Scheduler::ScheduleGroup",
    "AWS::Lambda::LayerVersion",
    "AWS::StepFunctions::StateMachine",
    "AWS::SecretsManager::Secret",
}
_STATE_MACHINE_ARN = (
    "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AWS::StackName}-"
)
_STUB_CODE = "def handler(event, context):\n    raise RuntimeError('runs in the local runtime')\n"


class ProvisionError(RuntimeError):
    pass


@dataclass(frozen=True)
class FunctionConfig:
    logical_id: str
    name: str
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str]


@dataclass(frozen=True)
class Deployment:
    stack_name: str
    physical: dict[str, str]
    functions: dict[str, FunctionConfig]
    state_machines: dict[str, str]  # logical id -> ARN
    secrets: dict[str, str]  # logical id -> ARN
    outputs: dict[str, str]  # the template's Outputs that moto could resolve
    schedule_groups: dict[str, str]  # logical id -> name (one-time timers live in them)


def _generate_secret(spec: dict[str, Any]) -> str:
    alphabet = string.ascii_letters + string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    excluded = set(spec.get("ExcludeCharacters", ""))
    alphabet = "".join(c for c in alphabet if c not in excluded)
    return "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))


def vapid_key_pair() -> str:
    """A fresh Web Push VAPID key pair as the ``WebPushVapidSecret`` holds it (the template's value is
    a placeholder an operator replaces; locally each deployment makes its own)."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    scalar = key.private_numbers().private_value.to_bytes(32, "big")

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return json.dumps({"public_key": b64(point), "private_key": b64(scalar)})


LOCAL_SECRETS = {"WebPushVapidSecret": vapid_key_pair}  # made locally instead of the placeholder


def _walk(node: Any, fix: Any) -> Any:
    node = fix(node)
    if isinstance(node, dict):
        return {k: _walk(v, fix) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, fix) for v in node]
    return node


def _supported_types() -> set[str]:
    from moto.cloudformation.parsing import NULL_MODELS, get_model_map  # noqa: PLC0415

    return set(get_model_map()) | set(NULL_MODELS)


def _state_machine_ref(node: Any, machines: set[str]) -> Any:
    """A state machine's ARN (Ref) or name (GetAtt .Name), as the runtime will create it."""
    if isinstance(node, dict) and set(node) == {"Ref"} and node["Ref"] in machines:
        return {"Fn::Sub": _STATE_MACHINE_ARN + node["Ref"]}
    if isinstance(node, dict) and set(node) == {"Fn::GetAtt"} and node["Fn::GetAtt"][0] in machines:
        return {"Fn::Sub": "${AWS::StackName}-" + node["Fn::GetAtt"][0]}
    return node


def moto_template(
    app: AppModel, substitute: dict[str, str], attributes: dict[tuple[str, str], str] | None = None
) -> dict[str, Any]:
    """The part of the translated template moto's CloudFormation builds, made moto-compatible
    (``attributes``: ``GetAtt`` values of resources moto does not build, e.g. a stream's ARN)."""
    cfn: dict[str, Any] = json.loads(json.dumps(app.cfn))
    resources: dict[str, Any] = cfn["Resources"]
    supported = _supported_types()
    scheduled_rules = {s.logical_id for s in app.schedules}
    dropped = {
        k
        for k, v in resources.items()
        if v["Type"] in _SERVED_LOCALLY or v["Type"] not in supported or k in scheduled_rules
    }
    for props in (
        v.get("Properties", {}) for v in resources.values() if v["Type"] == "AWS::Lambda::Function"
    ):
        props.pop("Layers", None)  # the venv is the layer locally
        props["Code"] = {"ZipFile": _STUB_CODE}
    # A state machine is created through the API with a known name, so what refers to it (a function
    # that starts it) is kept, with its ARN and name filled in.
    machines = {k for k, v in resources.items() if v["Type"] == "AWS::StepFunctions::StateMachine"}
    while True:  # drop what refers to a dropped resource (e.g. the routes' invoke permissions)
        more = {
            k
            for k, v in resources.items()
            if k not in dropped and references(v) & (dropped - set(substitute) - machines)
        }
        if not more:
            break
        dropped |= more
    buses = {k for k, v in resources.items() if v["Type"] == "AWS::Events::EventBus"}

    fix = _fixer(buses, substitute, machines, attributes or {})

    outputs = {k: v for k, v in cfn.get("Outputs", {}).items() if not references(v) & dropped}
    for logical_id in app.state_machines:
        props = resources[logical_id]["Properties"]
        definition = props.get("DefinitionString") or json.dumps(props.get("Definition"))
        if isinstance(definition, dict) and "Fn::Join" in definition:
            separator, parts = definition["Fn::Join"]
            definition = separator.join(parts)
        substitutions = props.get("DefinitionSubstitutions")
        outputs[f"LocalSfnDefinition{logical_id}"] = {
            "Value": _walk({"Fn::Sub": [definition, substitutions]} if substitutions else definition, fix)
        }
        outputs[f"LocalSfnRole{logical_id}"] = {"Value": _walk(props["RoleArn"], fix)}
    for logical_id, resource in resources.items():  # the lake's streams: moto resolves their bucket
        if resource["Type"] == lake.DELIVERY_STREAM and logical_id in substitute:
            bucket = (resource["Properties"].get("ExtendedS3DestinationConfiguration") or {}).get("BucketARN")
            if bucket is not None:
                outputs[f"LocalLakeBucket{logical_id}"] = {"Value": _walk(bucket, fix)}
    cfn["Resources"] = {k: _walk(v, fix) for k, v in resources.items() if k not in dropped}
    cfn["Outputs"] = outputs
    return cfn


def _fixer(
    buses: set[str], substitute: dict[str, str], machines: set[str], attributes: dict[tuple[str, str], str]
) -> Any:
    def fix(node: Any) -> Any:
        if isinstance(node, dict) and set(node) == {"Fn::GetAtt"}:
            target = node["Fn::GetAtt"]
            parts = tuple(target if isinstance(target, list) else str(target).split(".", 1))
            if parts in attributes:
                return attributes[parts]
        if isinstance(node, dict) and set(node) == {"Fn::Sub"}:
            return {"Fn::Sub": _substitute_sub(node["Fn::Sub"], substitute)}
        if isinstance(node, dict) and set(node) == {"Ref"}:
            if node["Ref"] in buses:
                return {"Fn::GetAtt": [node["Ref"], "Name"]}
            if node["Ref"] in substitute:
                return substitute[node["Ref"]]
        return _state_machine_ref(node, machines)

    return fix


def _substitute_sub(sub: Any, substitute: dict[str, str]) -> Any:
    """``${Name}`` of a substituted resource written out in an Fn::Sub string."""
    text = sub if isinstance(sub, str) else sub[0]
    for name, value in substitute.items():
        text = text.replace("${" + name + "}", value)
    return text if isinstance(sub, str) else [text, sub[1]]


def websocket_api_ids(app: AppModel) -> dict[str, str]:
    """WebSocket APIs (served by the local runtime) -> the API id functions see locally."""
    return {
        k: k.lower()
        for k, v in app.cfn["Resources"].items()
        if v["Type"] == "AWS::ApiGatewayV2::Api"
        and v.get("Properties", {}).get("ProtocolType") == "WEBSOCKET"
    }


def provision(
    app: AppModel,
    client: Any,
    *,
    stack_name: str,
    parameters: dict[str, str] | None = None,
    secret_values: dict[str, str] | None = None,
) -> Deployment:
    """Create everything. ``client(service)`` returns a boto3 client for moto."""
    moto_patches.apply()
    client = functools.cache(client)  # one client per service (creating one costs ~25 ms)
    secret_arns: dict[str, str] = {}
    for logical_id, resource in app.cfn["Resources"].items():
        if resource["Type"] != "AWS::SecretsManager::Secret":
            continue
        props = resource.get("Properties", {})
        value = (
            (secret_values or {}).get(logical_id)
            or (LOCAL_SECRETS[logical_id]() if logical_id in LOCAL_SECRETS else None)
            or props.get("SecretString")
            or _generate_secret(props.get("GenerateSecretString", {}))
        )
        created = client("secretsmanager").create_secret(
            Name=f"{stack_name}-{logical_id}", SecretString=value
        )
        secret_arns[logical_id] = created["ARN"]
    groups: dict[str, str] = {}
    for logical_id, resource in app.cfn["Resources"].items():
        if resource["Type"] == "AWS::Scheduler::ScheduleGroup":
            groups[logical_id] = f"{stack_name}-{logical_id}"[:64]
            client("scheduler").create_schedule_group(Name=groups[logical_id])

    region = client("sts").meta.region_name
    account_id = client("sts").get_caller_identity()["Account"]
    local_lake = lake.local_lake(app.cfn["Resources"], stack_name, region, account_id)
    cfn = client("cloudformation")
    substitute = {**secret_arns, **groups, **websocket_api_ids(app), **local_lake.refs}
    cfn.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(moto_template(app, substitute, local_lake.attributes)),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise ProvisionError(
            f"stack {stack_name} ended {stack['StackStatus']}: {stack.get('StackStatusReason')}"
        )
    physical = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name)
        for r in page["StackResourceSummaries"]
    }
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    for table, attribute in app.ttl.items():
        client("dynamodb").update_time_to_live(
            TableName=physical[table], TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
        )
    machines = {
        logical_id: client("stepfunctions").create_state_machine(
            name=f"{stack_name}-{logical_id}",
            definition=outputs[f"LocalSfnDefinition{logical_id}"],
            roleArn=outputs[f"LocalSfnRole{logical_id}"],
        )["stateMachineArn"]
        for logical_id in app.state_machines
    }
    for logical_id, props in local_lake.streams.items():
        bucket = outputs.get(f"LocalLakeBucket{logical_id}")
        if bucket is None:
            raise ProvisionError(f"{logical_id}: its BucketARN could not be resolved locally")
        lake.register(
            lake.DeliveryStream.from_template(
                local_lake.refs[logical_id],
                local_lake.attributes[(logical_id, "Arn")],
                lake.bucket_of(bucket),
                props,
            )
        )
    functions = {}
    for logical_id in app.functions:
        config = client("lambda").get_function_configuration(FunctionName=physical[logical_id])
        functions[logical_id] = FunctionConfig(
            logical_id=logical_id,
            name=config["FunctionName"],
            handler=config["Handler"],
            timeout=int(config.get("Timeout", 3)),
            memory=int(config.get("MemorySize", 128)),
            environment=dict(config.get("Environment", {}).get("Variables", {})),
        )
    physical.update(machines)
    physical.update(secret_arns)
    physical.update(groups)
    physical.update(websocket_api_ids(app))
    physical.update(local_lake.refs)
    template_outputs = {k: v for k, v in outputs.items() if not k.startswith(("LocalSfn", "LocalLake"))}
    return Deployment(stack_name, physical, functions, machines, secret_arns, template_outputs, groups)
