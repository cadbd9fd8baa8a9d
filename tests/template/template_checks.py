"""The template checks, as pure functions over template.yaml and its translation.

Every check takes a :class:`Templates` (the SAM form as written and the CloudFormation that
aws-sam-translator makes of it) and returns a list of problems, each naming the offending resource;
an empty list means the check passes. ``test_template.py`` runs them on the real template;
``test_template_mutations.py`` proves that each one fails on a deliberately broken template.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soko_local.template import CODE_BUCKET, StackTemplate, references

Doc = dict[str, Any]


@dataclass(frozen=True)
class Templates:
    sam: Doc  # the application as written: template.yaml with its nested stacks' resources inlined
    cfn: Doc  # the application translated, nested stacks inlined (as CloudFormation wires them)
    root: Path  # the project root (CodeUri is relative to it)
    stacks: tuple[StackTemplate, ...] = ()  # each stack `sam deploy` creates, as written and translated

    def resources(self, kind: str, *, sam: bool = False) -> dict[str, Doc]:
        """Logical id -> Properties of every resource of one type."""
        doc = self.sam if sam else self.cfn
        return {
            logical_id: resource.get("Properties") or {}
            for logical_id, resource in doc.get("Resources", {}).items()
            if resource.get("Type") == kind
        }

    def type_of(self, logical_id: str | None) -> str | None:
        return self.cfn["Resources"].get(logical_id, {}).get("Type") if logical_id else None


# ---------------------------------------------------------------------------- intrinsics
_PSEUDO = re.compile(r"\$\{AWS::(\w+)\}")


def render(node: Any) -> str:
    """A string-valued node as text: Ref/GetAtt become ``${Name}``, Fn::Sub variables are filled in
    and pseudo parameters become ``<Region>`` etc. (so an ARN still splits on its colons)."""
    if isinstance(node, str):
        text = node
    elif isinstance(node, dict) and len(node) == 1:
        text = _render_intrinsic(*next(iter(node.items())))
    else:
        text = "${?}"
    return _PSEUDO.sub(lambda match: f"<{match[1]}>", text)


def _render_intrinsic(function: str, value: Any) -> str:
    if function == "Ref":
        return f"${{{value}}}"
    if function == "Fn::GetAtt":
        return "${%s}" % (value if isinstance(value, str) else ".".join(map(str, value)))
    if function == "Fn::Sub":
        text, variables = (value, {}) if isinstance(value, str) else (value[0], value[1])
        for name, variable in variables.items():
            text = text.replace(f"${{{name}}}", render(variable))
        return str(text)
    if function == "Fn::Join" and isinstance(value[1], list):
        return str(value[0]).join(render(part) for part in value[1])
    return "${?}"


def branches(node: Any) -> Iterator[Any]:
    """The values a node may take: lists flattened, both arms of Fn::If, AWS::NoValue dropped."""
    if isinstance(node, list):
        for item in node:
            yield from branches(item)
    elif isinstance(node, dict) and "Fn::If" in node:
        yield from branches(node["Fn::If"][1])
        yield from branches(node["Fn::If"][2])
    elif node is not None and node != {"Ref": "AWS::NoValue"}:
        yield node


def target(node: Any) -> str | None:
    """The one logical id a node refers to (None when it names none, or several)."""
    names = references(node)
    return names.pop() if len(names) == 1 else None


def get_att(node: Any) -> tuple[str, str] | None:
    """(logical id, attribute) of a Fn::GetAtt, in any of its spellings."""
    if isinstance(node, dict) and "Fn::GetAtt" in node:
        value = node["Fn::GetAtt"]
        name, _, attribute = value.partition(".") if isinstance(value, str) else (value[0], "", value[1])
        return name, attribute
    if isinstance(node, dict) and isinstance(node.get("Fn::Sub"), str):
        match = re.fullmatch(r"\$\{(\w+)\.(\w+)\}", node["Fn::Sub"])
        return (match[1], match[2]) if match else None
    return None


# ---------------------------------------------------------------------------- 1. cfn-lint
LINT_REGIONS = ["us-east-1", "af-south-1"]  # no samconfig pins a region: the default one and the
# nearest to the users (af-south-1 lacks some services and Lambda features, which cfn-lint knows).

# Errors (E) and warnings (W) fail the build; informational rules (I) are not run (cfn-lint runs
# them only on request; the two that fire today are aws-sam-translator's own hard-coded `arn:aws:`
# in the HTTP API authorizer URI (I3042), and no DeletionPolicy on stateful resources (I3011)).
# The only findings ignored are these, as (rule, text in the message): none fires today, but SAM's
# SQSPollerPolicy template (the queue-scoped way to let a function poll SQS) lists the batch API
# names, which IAM does not define as actions (it authorizes a batch call by its single-message
# action), so cfn-lint warns about SAM's own policy. Every other finding of those rules still fails.
IGNORED_LINT_FINDINGS: frozenset[tuple[str, str]] = frozenset(
    {
        # The application is also linted as one flattened template (so wiring across stacks is
        # linted too), which is over CloudFormation's 500 resources by design: each stack that
        # `sam deploy` creates is held to STACK_RESOURCE_BUDGET by stacks_within_budget.
        ("E3010", "'Resources' has more than 500 properties"),
        ("W3037", "'changemessagevisibilitybatch' is not one of"),
        ("W3037", "'deletemessagebatch' is not one of"),
    }
)


def _ignored(rule: str, message: str) -> bool:
    return rule[0] not in "EW" or any(rule == r and text in message for r, text in IGNORED_LINT_FINDINGS)


def _lint(text: str) -> list[str]:
    from cfnlint.api import ManualArgs, lint  # noqa: PLC0415  (heavy; only when linting)

    return [
        f"{match.rule.id} {getattr(match, 'path_string', '') or '(template)'} "
        f"(line {match.linenumber}): {match.message}"
        for match in lint(text, config=ManualArgs(regions=LINT_REGIONS))
        if not _ignored(match.rule.id, match.message)
    ]


def lint_sam(t: Templates) -> list[str]:
    """cfn-lint on each stack's template as written (cfn-lint runs the SAM transform itself), or on
    the application as one document when no stack files are given."""
    if not t.stacks:
        return _lint(json.dumps(t.sam))
    return [f"{stack.path.name}: {problem}" for stack in t.stacks for problem in _lint(stack.text)]


def lint_translated(t: Templates) -> list[str]:
    """cfn-lint on the CloudFormation aws-sam-translator makes of the application (nested stacks
    inlined, so references across stacks are linted as CloudFormation resolves them)."""
    return _lint(json.dumps(t.cfn, indent=1))


# ---------------------------------------------------------------------------- 1b. the resource budget
STACK_RESOURCE_BUDGET = 250  # CloudFormation's hard limit is 500 a stack; half leaves room to grow


def stacks_within_budget(t: Templates) -> list[str]:
    """Every stack `sam deploy` creates has at most STACK_RESOURCE_BUDGET resources after the SAM
    transform (and there is at least one stack to count)."""
    if not t.stacks:
        return ["no stacks to count"]
    return [
        f"{stack.name} ({stack.path.name}) has {len(stack.cfn['Resources'])} resources after the SAM "
        f"transform; the budget is {STACK_RESOURCE_BUDGET} a stack"
        for stack in t.stacks
        if len(stack.cfn["Resources"]) > STACK_RESOURCE_BUDGET
    ]


# ---------------------------------------------------------------------------- 2. queues and DLQs
DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # 1209600, the SQS maximum
DLQ_ALARM_METRIC = ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
# An alarm that fires on the first message: "> 0" or ">= 1".
DLQ_ALARM_THRESHOLDS = {("GreaterThanThreshold", 0.0), ("GreaterThanOrEqualToThreshold", 1.0)}


def redrive_policy(props: Doc) -> Doc:
    """A queue's RedrivePolicy (CloudFormation also accepts it as a JSON string)."""
    policy = props.get("RedrivePolicy") or {}
    return json.loads(policy) if isinstance(policy, str) else policy


def dead_letter_queues(t: Templates) -> dict[str, str]:
    """DLQ logical id -> who sends it dead letters: a queue's RedrivePolicy, an EventBridge target's
    or a function's DeadLetterConfig, or a function's or a stream mapping's on-failure destination."""
    queues = t.resources("AWS::SQS::Queue")
    found: dict[str, str] = {}
    pointers: list[tuple[str, Any]] = []
    for name, props in queues.items():
        pointers.append((f"queue {name}", redrive_policy(props).get("deadLetterTargetArn")))
    for name, props in t.resources("AWS::Events::Rule").items():
        for item in props.get("Targets", []):
            pointers.append((f"rule {name}", (item.get("DeadLetterConfig") or {}).get("Arn")))
    for name, props in t.resources("AWS::Lambda::Function").items():
        pointers.append((f"function {name}", (props.get("DeadLetterConfig") or {}).get("TargetArn")))
    for name, props in t.resources("AWS::Lambda::EventInvokeConfig").items():
        on_failure = (props.get("DestinationConfig") or {}).get("OnFailure") or {}
        pointers.append((f"invoke config {name}", on_failure.get("Destination")))
    for name, props in t.resources("AWS::Lambda::EventSourceMapping").items():
        on_failure = (props.get("DestinationConfig") or {}).get("OnFailure") or {}
        pointers.append((f"stream mapping {name}", on_failure.get("Destination")))
    for source, pointer in pointers:
        dlq = target(pointer) if pointer is not None else None
        if dlq in queues:
            found.setdefault(dlq, source)
    return found


def _alarmed_queues(t: Templates) -> set[str]:
    alarmed = set()
    for props in t.resources("AWS::CloudWatch::Alarm").values():
        if (props.get("Namespace"), props.get("MetricName")) != DLQ_ALARM_METRIC:
            continue
        try:
            threshold = (props.get("ComparisonOperator"), float(props.get("Threshold")))
        except (TypeError, ValueError):
            continue
        if threshold not in DLQ_ALARM_THRESHOLDS:
            continue
        for dimension in props.get("Dimensions", []):
            att = get_att(dimension.get("Value"))
            if dimension.get("Name") == "QueueName" and att and att[1] == "QueueName":
                alarmed.add(att[0])
    return alarmed


def queues_have_dead_letter_queues(t: Templates) -> list[str]:
    """Every queue redrives to a DLQ in this template, or is a DLQ; DLQs keep messages 14 days and
    have an alarm on ApproximateNumberOfMessagesVisible > 0 naming their QueueName."""
    queues = t.resources("AWS::SQS::Queue")
    dlqs = dead_letter_queues(t)
    alarmed = _alarmed_queues(t)
    problems = []
    for name, props in sorted(queues.items()):
        redrive = redrive_policy(props)
        if name in dlqs:
            retention = props.get("MessageRetentionPeriod")
            if str(retention) != str(DLQ_RETENTION_SECONDS):
                problems.append(
                    f"{name} (the DLQ of {dlqs[name]}) keeps messages {retention or 345600} s, "
                    f"not {DLQ_RETENTION_SECONDS} (14 days)"
                )
            if name not in alarmed:
                problems.append(
                    f"{name} (the DLQ of {dlqs[name]}) has no AWS::CloudWatch::Alarm on "
                    f"{DLQ_ALARM_METRIC[1]} > 0 with Dimensions QueueName: !GetAtt {name}.QueueName"
                )
        elif not redrive:
            problems.append(f"{name} has no RedrivePolicy and is no other queue's dead-letter queue")
        elif target(redrive.get("deadLetterTargetArn")) not in queues:
            problems.append(f"{name}'s RedrivePolicy.deadLetterTargetArn is not a queue in this template")
    return problems


# ---------------------------------------------------------------------------- 3. log groups
_LAMBDA_LOG_GROUP = re.compile(r"/aws/lambda/\$\{([^}]+)\}")


def _log_group_function(props: Doc) -> str | None:
    """X when LogGroupName is !Sub /aws/lambda/${X} (X a Ref: the function's physical name)."""
    name = props.get("LogGroupName")
    sub = name.get("Fn::Sub") if isinstance(name, dict) and len(name) == 1 else None
    text, variables = (sub, {}) if isinstance(sub, str) else (sub or ["", {}])
    match = _LAMBDA_LOG_GROUP.fullmatch(text) if isinstance(text, str) else None
    if not match:
        return None
    if match[1] in variables:
        value = variables[match[1]]
        return value["Ref"] if isinstance(value, dict) and isinstance(value.get("Ref"), str) else None
    return match[1]


def functions_have_log_groups(t: Templates) -> list[str]:
    """Every function has a LogGroup named !Sub /aws/lambda/${Function}; every LogGroup has a retention."""
    groups = t.resources("AWS::Logs::LogGroup")
    covered = {_log_group_function(props): name for name, props in groups.items()}
    problems = [
        f"{function} has no AWS::Logs::LogGroup with LogGroupName: !Sub /aws/lambda/${{{function}}}"
        for function in sorted(t.resources("AWS::Lambda::Function"))
        if function not in covered
    ]
    problems += [
        f"log group {name} has no RetentionInDays (logs would be kept forever)"
        for name, props in sorted(groups.items())
        if props.get("RetentionInDays") in (None, "")
    ]
    return problems


def put_events_is_limited_by_source(t: Templates) -> list[str]:
    """Every IAM statement that allows events:PutEvents names the sources the function may publish
    (an events:source condition): a function cannot impersonate another domain on the bus."""
    problems = []
    for role, props in sorted(t.resources("AWS::IAM::Role").items()):
        for policy in props.get("Policies", []):
            statements = policy.get("PolicyDocument", {}).get("Statement", [])
            for statement in statements if isinstance(statements, list) else [statements]:
                actions = statement.get("Action", [])
                actions = actions if isinstance(actions, list) else [actions]
                if statement.get("Effect") == "Allow" and any(
                    a in ("events:PutEvents", "events:*") for a in actions
                ):
                    condition = statement.get("Condition", {})
                    if not any("events:source" in block for block in condition.values()):
                        problems.append(f"{role} may PutEvents without an events:source condition")
    return problems


def scheduled_functions_have_error_alarms(t: Templates) -> list[str]:
    """A function only a schedule runs fails silently (no caller sees the error): each has an
    AWS/Lambda Errors alarm naming it."""
    scheduled = {
        name
        for name, props in t.resources("AWS::Serverless::Function", sam=True).items()
        if any(e.get("Type") in ("Schedule", "ScheduleV2") for e in (props.get("Events") or {}).values())
    }
    alarmed = {
        target(d.get("Value"))
        for props in t.resources("AWS::CloudWatch::Alarm").values()
        if props.get("Namespace") == "AWS/Lambda" and props.get("MetricName") == "Errors"
        for d in props.get("Dimensions", [])
        if d.get("Name") == "FunctionName"
    }
    return [
        f"{name} runs on a schedule without an AWS/Lambda Errors alarm"
        for name in sorted(scheduled - alarmed)
    ]


# ---------------------------------------------------------------------------- 4. runtime and handlers
EXPECTED_FUNCTION_PROPERTIES: dict[str, Any] = {
    "Runtime": "python3.13",
    "Architectures": ["arm64"],
}


def functions_use_the_runtime(t: Templates) -> list[str]:
    """Every function runs python3.13 on arm64."""
    return [
        f"{name} has {key}: {props.get(key)!r}, expected {expected!r}"
        for name, props in sorted(t.resources("AWS::Lambda::Function").items())
        for key, expected in EXPECTED_FUNCTION_PROPERTIES.items()
        if props.get(key) != expected
    ]


# Imports handlers in a fresh interpreter with only the CodeUri directory added to the path (what
# Lambda does, the layer's dependencies coming from the venv): no module cached by other tests, and
# two CodeUri directories may hold packages of the same name.
_PROBE = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
found = {}
for handler in sys.argv[2:]:
    module_name, _, attribute = handler.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception as err:
        found[handler] = {"error": f"{type(err).__name__}: {err}"}
    else:
        found[handler] = {"file": module.__file__, "callable": callable(getattr(module, attribute, None))}
print("PROBE " + json.dumps(found))
"""


@functools.cache
def import_handlers(code_dir: Path, handlers: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Handler -> {"file", "callable"} or {"error"}, imported from code_dir in a new interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(code_dir), *handlers],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    if not lines:
        raise RuntimeError(f"importing handlers from {code_dir} failed:\n{result.stderr[-3000:]}")
    found: dict[str, dict[str, Any]] = json.loads(lines[-1].removeprefix("PROBE "))
    return found


def _handler_file(t: Templates, name: str, props: Doc) -> tuple[Path | None, str | None]:
    """(code directory, problem): the Handler module must be a file under the function's CodeUri."""
    code = props.get("Code") or {}
    if code.get("S3Bucket") != CODE_BUCKET:
        return None, f"{name}'s code is not a directory of this project (Code {code})"
    code_dir = (t.root / code["S3Key"]).resolve()
    module_name = str(props.get("Handler", "")).rpartition(".")[0]
    relative = Path(*module_name.split("."))
    files = [code_dir / relative.with_suffix(".py"), code_dir / relative / "__init__.py"]
    if not module_name or not any(file.is_file() for file in files):
        shown = files[0].relative_to(t.root.resolve())
        return None, f"{name}'s Handler {props.get('Handler')!r}: no {shown} under its CodeUri"
    return code_dir, None


def handlers_exist(t: Templates) -> list[str]:
    """Every function's Handler module is a file under its CodeUri, it imports from there, and it
    defines the handler (a callable)."""
    problems = []
    importable: dict[Path, dict[str, str]] = defaultdict(dict)  # code dir -> handler -> function
    for name, props in sorted(t.resources("AWS::Lambda::Function").items()):
        code_dir, problem = _handler_file(t, name, props)
        if code_dir is None:
            problems.append(str(problem))
        else:
            importable[code_dir][str(props["Handler"])] = name
    for code_dir, handlers in importable.items():
        for handler, outcome in import_handlers(code_dir, tuple(sorted(handlers))).items():
            name = handlers[handler]
            if "error" in outcome:
                problems.append(f"{name}'s Handler {handler!r} does not import: {outcome['error']}")
            elif not Path(outcome["file"]).resolve().is_relative_to(code_dir):
                problems.append(
                    f"{name}'s Handler {handler!r} imports from {outcome['file']}, not {code_dir}"
                )
            elif not outcome["callable"]:
                module_name, _, attribute = handler.rpartition(".")
                problems.append(
                    f"{name}'s Handler {handler!r}: {module_name} defines no callable {attribute!r}"
                )
    return problems


# ---------------------------------------------------------------------------- 5. least privilege
# The only managed policies a role may attach without a WildcardReason. Others are not exempt, not
# even those SAM attaches itself: an `SQS` event source adds AWSLambdaSQSQueueExecutionRole, which
# allows receiving and deleting messages of every queue in the account.
MANAGED_BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
MANAGED_XRAY = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"  # what SAM adds for Tracing: Active
# The actions X-Ray tracing needs; AWS supports no resource narrower than "*" for them.
XRAY_ACTIONS = frozenset(
    {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
    }
)
WILDCARD_REASON = "WildcardReason"
_IAM_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")
_SERVICE_WILDCARD_ACTION = re.compile(r"\*|[\w-]+:\*")
_TYPE_WILDCARD_RESOURCE = re.compile(r"[A-Za-z][\w-]*[:/]\*")  # table/*, function:*, log-group:*


def is_wildcard_resource(text: str) -> bool:
    """Whether a Resource is "*", or an ARN whose resource part is "*" or "<resource type>/*" (every
    resource of a service, or of a type). A wildcard under one named resource (table/${T}/index/*)
    is fine."""
    if text == "*":
        return True
    parts = text.split(":", 5)
    if parts[0] != "arn" or len(parts) < 6:
        return False
    service, resource = parts[2], parts[5]
    # S3 ARNs have no resource type: bucket/* is every object of one bucket.
    return resource == "*" or (service != "s3" and bool(_TYPE_WILDCARD_RESOURCE.fullmatch(resource)))


def _sam_owner(t: Templates, logical_id: str) -> str:
    """The template.yaml resource a translated resource came from (SAM prefixes generated ids)."""
    sam_ids = t.sam.get("Resources", {})
    if logical_id in sam_ids:
        return logical_id
    return max((name for name in sam_ids if logical_id.startswith(name)), key=len, default=logical_id)


def _role_users(t: Templates) -> dict[str, set[str]]:
    """Role logical id -> the functions and state machines that run as it."""
    users: dict[str, set[str]] = defaultdict(set)
    for name, props in t.resources("AWS::Lambda::Function").items():
        users[target(props.get("Role")) or ""].add(name)
    for name, props in t.resources("AWS::StepFunctions::StateMachine").items():
        users[target(props.get("RoleArn")) or ""].add(name)
    return users


def _is_traced(t: Templates, name: str) -> bool:
    props = t.cfn["Resources"][name].get("Properties", {})
    return (props.get("TracingConfig") or {}).get("Mode") == "Active" or bool(
        (props.get("TracingConfiguration") or {}).get("Enabled")
    )


@dataclass(frozen=True)
class _Grant:
    """One IAM resource's permissions, and who answers for them."""

    source: str  # the IAM resource's logical id
    owners: frozenset[str]  # template.yaml resources that may justify a wildcard
    traced: bool  # runs as a function or state machine with active X-Ray tracing
    statements: tuple[tuple[str, Doc], ...]  # (policy name, statement)
    managed: tuple[str, ...]  # managed policy ARNs it attaches from outside this template


def _grants(t: Templates) -> Iterator[_Grant]:
    users = _role_users(t)
    in_template = set(t.cfn["Resources"])
    for kind in ("AWS::IAM::Role", *_IAM_POLICY_TYPES):
        for name, props in t.resources(kind).items():
            roles = (
                {name}
                if kind == "AWS::IAM::Role"
                else references(props.get("Roles")) | references(props.get("RoleName"))
            )
            runners = set().union(*(users.get(role, set()) for role in roles))
            owners = frozenset({_sam_owner(t, name)} | {_sam_owner(t, runner) for runner in runners})
            documents = [(kind, props.get("PolicyDocument"))]
            documents += [
                (str(p.get("PolicyName")), p.get("PolicyDocument")) for p in branches(props.get("Policies"))
            ]
            statements = tuple(
                (policy, statement)
                for policy, document in documents
                for statement in branches((document or {}).get("Statement"))
            )
            managed = tuple(
                render(arn).replace("<Partition>", "aws")
                for arn in branches(props.get("ManagedPolicyArns"))
                if not references(arn) & in_template  # a policy of this template is checked as such
            )
            traced = any(_is_traced(t, runner) for runner in runners)
            yield _Grant(name, owners, traced, statements, managed)


def _valid_reason(t: Templates, owners: frozenset[str]) -> bool:
    for owner in owners:
        reason = (t.sam.get("Resources", {}).get(owner, {}).get("Metadata") or {}).get(WILDCARD_REASON)
        if isinstance(reason, str) and len(reason.split()) >= 3:  # a sentence, not a placeholder
            return True
    return False


def _statement_problems(grant: _Grant, policy: str, statement: Doc) -> tuple[list[str], list[str]]:
    """(never allowed, allowed only with a WildcardReason) for one Allow statement."""
    where = f"{grant.source} ({policy})"
    actions = [render(action) for action in branches(statement.get("Action"))]
    never = [
        f"{where} allows Action {action!r}"
        for action in actions
        if _SERVICE_WILDCARD_ACTION.fullmatch(action)
    ]
    if "NotAction" in statement:
        never.append(f"{where} uses NotAction (allows everything else)")
    resources = [render(resource) for resource in branches(statement.get("Resource"))]
    wild = [resource for resource in resources if is_wildcard_resource(resource)]
    if wild and grant.traced and actions and set(actions) <= XRAY_ACTIONS:
        wild = []  # tracing permissions, which exist only on "*"
    needs_reason = [f"{where} allows {sorted(actions)} on {resource!r}" for resource in wild]
    if "NotResource" in statement:
        needs_reason.append(f"{where} uses NotResource (every other resource)")
    return never, needs_reason


def least_privilege(t: Templates) -> list[str]:
    """No IAM statement allows Action "*" or "service:*"; none allows a wildcard resource, nor does a
    role attach an AWS-managed policy, unless the resource it is for in template.yaml has
    Metadata.WildcardReason (AWSLambdaBasicExecutionRole and X-Ray tracing are exempt)."""
    problems = []
    for grant in _grants(t):
        needs_reason = []
        for policy, statement in grant.statements:
            if isinstance(statement, dict) and statement.get("Effect") == "Allow":
                never, wild = _statement_problems(grant, policy, statement)
                problems += never
                needs_reason += wild
        exempt = {MANAGED_BASIC_EXECUTION} | ({MANAGED_XRAY} if grant.traced else set())
        needs_reason += [f"{grant.source} attaches {arn}" for arn in grant.managed if arn not in exempt]
        if needs_reason and not _valid_reason(t, grant.owners):
            owners = ", ".join(sorted(grant.owners))
            problems += [f"{line} and {owners} has no Metadata.{WILDCARD_REASON}" for line in needs_reason]
    return problems


# ---------------------------------------------------------------------------- 6. one Lambda per endpoint
# Functions allowed to serve more than one route (logical id -> why). Empty: one Lambda per endpoint.
MULTI_ROUTE_FUNCTIONS: dict[str, str] = {
    "FarmersForBuyerFunction": "the legacy /recommendations/farmers-for-buyer path is the same endpoint",
    "BuyersForFarmerFunction": "the legacy /recommendations/buyers-for-farmer path is the same endpoint",
}
_CATCH_ALL = re.compile(r"\$default|.*\{proxy\+\}.*")


def _lambda_behind(t: Templates, node: Any) -> str | None:
    """The function an integration URI invokes (through an alias or version)."""
    name = target(node)
    if t.type_of(name) in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
        name = target(t.cfn["Resources"][name]["Properties"].get("FunctionName"))
    return name if t.type_of(name) == "AWS::Lambda::Function" else None


def http_routes(t: Templates) -> list[tuple[str, str, str, str | None]]:
    """(api, method, path, function) for every route of every HTTP API, SAM-made or written out."""
    routes = []
    for api, props in t.resources("AWS::ApiGatewayV2::Api").items():
        for path, operations in (props.get("Body") or {}).get("paths", {}).items():
            for method, operation in operations.items():
                integration = operation.get("x-amazon-apigateway-integration")
                if isinstance(integration, dict):
                    verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
                    routes.append((api, verb, path, _lambda_behind(t, integration.get("uri"))))
    integrations = t.resources("AWS::ApiGatewayV2::Integration")
    for props in t.resources("AWS::ApiGatewayV2::Route").values():
        verb, _, path = render(props.get("RouteKey")).partition(" ")
        integration = integrations.get(target(props.get("Target")) or "", {})
        api = target(props.get("ApiId")) or "?"
        routes.append((api, verb, path or verb, _lambda_behind(t, integration.get("IntegrationUri"))))
    return routes


def one_function_per_route(t: Templates) -> list[str]:
    """Every route invokes exactly one function of this template, no route is a catch-all, and no
    function serves two routes (unless listed in MULTI_ROUTE_FUNCTIONS)."""
    routes = http_routes(t)
    problems = [
        f"{api} route {verb} {path} invokes no function of this template"
        for api, verb, path, fn in routes
        if not fn
    ]
    problems += [
        f"{fn} serves the catch-all route {verb} {path} on {api}"
        for api, verb, path, fn in routes
        if fn and fn not in MULTI_ROUTE_FUNCTIONS and (verb == "ANY" or _CATCH_ALL.fullmatch(path))
    ]
    served = Counter(fn for *_, fn in routes if fn)
    for fn, count in sorted(served.items()):
        if count > 1 and fn not in MULTI_ROUTE_FUNCTIONS:
            keys = ", ".join(f"{verb} {path}" for _, verb, path, name in routes if name == fn)
            problems.append(f"{fn} serves {count} routes ({keys}); one Lambda per endpoint")
    return problems


# ------------------------------------------------------------------------ 6b. SnapStart on the request path
SNAPSTART = {"ApplyOn": "PublishedVersions"}


def _request_path(t: Templates) -> dict[str, list[tuple[str, Any]]]:
    """Function -> (what calls it, the reference it is called by) for every HTTP API route, API
    authorizer and Function URL: the functions a person waits for."""
    calls: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    integrations = t.resources("AWS::ApiGatewayV2::Integration")
    http_apis = {
        name
        for name, props in t.resources("AWS::ApiGatewayV2::Api").items()
        if props.get("ProtocolType") == "HTTP"
    }
    for props in t.resources("AWS::ApiGatewayV2::Route").values():
        if target(props.get("ApiId")) not in http_apis:
            continue
        uri = integrations.get(target(props.get("Target")) or "", {}).get("IntegrationUri")
        function = _lambda_behind(t, uri)
        if function:
            calls[function].append((f"route {render(props.get('RouteKey'))}", uri))
    for name, props in t.resources("AWS::ApiGatewayV2::Authorizer").items():
        function = _lambda_behind(t, props.get("AuthorizerUri"))
        if function:
            calls[function].append((f"authorizer {name}", props.get("AuthorizerUri")))
    for name, props in t.resources("AWS::Lambda::Url").items():
        function = _lambda_behind(t, props.get("TargetFunctionArn"))
        if function:
            calls[function].append((f"function URL {name}", props.get("TargetFunctionArn")))
    return calls


def request_path_uses_snapstart(t: Templates) -> list[str]:
    """Every function behind an HTTP route, an API authorizer or a Function URL has SnapStart on
    published versions and is invoked through an alias: SnapStart restores snapshots of published
    versions only, so a caller of the unqualified function would still pay a full cold start."""
    problems = []
    functions = t.resources("AWS::Lambda::Function")
    for function, callers in sorted(_request_path(t).items()):
        if functions[function].get("SnapStart") != SNAPSTART:
            problems.append(f"{function} serves {callers[0][0]} without SnapStart {SNAPSTART}")
        for caller, reference in callers:
            if t.type_of(target(reference)) != "AWS::Lambda::Alias":
                problems.append(f"{caller} invokes {function} unqualified, not through its published alias")
    return problems


# ---------------------------------------------------------------------------- 7. EventBridge targets
PATTERN_RULE_TARGETS = frozenset(
    {"AWS::SQS::Queue", "AWS::KinesisFirehose::DeliveryStream"}
)  # EventBridge -> SQS -> Lambda; -> Firehose -> the event lake
SCHEDULE_TARGETS = frozenset(
    {
        "AWS::Lambda::Function",
        "AWS::Lambda::Alias",
        "AWS::Lambda::Version",
        "AWS::StepFunctions::StateMachine",
    }
)


def event_rule_targets(t: Templates) -> list[str]:
    """Rules with an EventPattern target only SQS queues (or the lake's Firehose stream); schedules
    (ScheduleExpression, and AWS::Scheduler::Schedule) target only functions or state machines of
    this template."""
    problems = []
    checked = [
        (name, props, props.get("Targets", [])) for name, props in t.resources("AWS::Events::Rule").items()
    ]
    checked += [
        (name, props, [props.get("Target") or {}])
        for name, props in t.resources("AWS::Scheduler::Schedule").items()
    ]
    for name, props, targets in sorted(checked, key=lambda item: item[0]):
        if "EventPattern" in props:
            kind, allowed = "event pattern rule", PATTERN_RULE_TARGETS
        elif "ScheduleExpression" in props:
            kind, allowed = "schedule", SCHEDULE_TARGETS
        else:
            problems.append(f"{name} has neither EventPattern nor ScheduleExpression")
            continue
        for item in targets:
            target_type = t.type_of(target(item.get("Arn")))
            if target_type not in allowed:
                what = target_type or f"{render(item.get('Arn'))!r} (not a resource of this template)"
                problems.append(f"{kind} {name} targets {what}; allowed: {', '.join(sorted(allowed))}")
    return problems


# ---------------------------------------------------------------------------- 8. descriptions
def functions_have_descriptions(t: Templates) -> list[str]:
    """Every AWS::Serverless::Function in template.yaml has a Description."""
    return [
        f"{name} has no Description"
        for name, props in sorted(t.resources("AWS::Serverless::Function", sam=True).items())
        if not (isinstance(props.get("Description"), str) and props["Description"].strip())
    ]


# ---------------------------------------------------------------------------- 9. globals and platform
def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


GLOBAL_FUNCTION_SETTINGS: list[tuple[str, str, Callable[[Any], bool]]] = [
    ("Tracing", "Active", lambda value: value == "Active"),
    ("Timeout", "set", _present),
]


def _parsed(stack: StackTemplate) -> Doc:
    from samtranslator.yaml_helper import yaml_parse  # noqa: PLC0415

    parsed: Doc = yaml_parse(stack.text)
    return parsed


def function_globals(t: Templates) -> list[str]:
    """Globals.Function sets Tracing: Active and a Timeout (in every stack that declares a function),
    and no function turns tracing off."""
    documents = [("", t.sam)] + [
        (f"{stack.path.name}: ", doc)
        for stack in t.stacks
        for doc in [_parsed(stack)]
        if any(r.get("Type") == "AWS::Serverless::Function" for r in (doc.get("Resources") or {}).values())
    ]
    problems = [
        f"{where}Globals.Function.{key} is {settings.get(key)!r}, expected {expected}"
        for where, doc in documents
        for settings in [(doc.get("Globals") or {}).get("Function") or {}]
        for key, expected, accept in GLOBAL_FUNCTION_SETTINGS
        if not accept(settings.get(key))
    ]
    problems += [
        f"{name} is not traced (TracingConfig {props.get('TracingConfig')})"
        for name, props in sorted(t.resources("AWS::Lambda::Function").items())
        if (props.get("TracingConfig") or {}).get("Mode") != "Active"
    ]
    return problems


def _of_api(t: Templates, kind: str, api: str) -> dict[str, Doc]:
    return {name: props for name, props in t.resources(kind).items() if target(props.get("ApiId")) == api}


def _http_api_problems(t: Templates, api: str, props: Doc) -> list[str]:
    authorizers = {
        name: a
        for name, a in _of_api(t, "AWS::ApiGatewayV2::Authorizer", api).items()
        if a.get("AuthorizerType") == "REQUEST" and _present(a.get("AuthorizerUri"))
    }
    stages = _of_api(t, "AWS::ApiGatewayV2::Stage", api)
    problems = [] if authorizers else [f"{api} has no Lambda REQUEST authorizer"]
    for name, authorizer in sorted(authorizers.items()):
        if str(authorizer.get("AuthorizerPayloadFormatVersion")) != "2.0":
            problems.append(f"{api} authorizer {name} lacks AuthorizerPayloadFormatVersion 2.0")
        if authorizer.get("EnableSimpleResponses") is not True:
            problems.append(f"{api} authorizer {name} lacks EnableSimpleResponses: true")
    if not _present(props.get("CorsConfiguration")):
        problems.append(f"{api} lacks CorsConfiguration")
    if not any(
        all(_present((stage.get("DefaultRouteSettings") or {}).get(key)) for key in THROTTLING)
        for stage in stages.values()
    ):
        problems.append(f"{api} has no stage with DefaultRouteSettings {' and '.join(THROTTLING)}")
    for name, route in sorted(_of_api(t, "AWS::ApiGatewayV2::Route", api).items()):
        kind = route.get("AuthorizationType")
        if kind == "CUSTOM" and target(route.get("AuthorizerId")) not in authorizers:
            problems.append(f"{name} ({render(route.get('RouteKey'))}) names no authorizer of {api}")
        elif kind not in ("CUSTOM", "NONE"):
            # No default authorizer exists for routes written out: each says CUSTOM or NONE.
            problems.append(
                f"{name} ({render(route.get('RouteKey'))}) sets AuthorizationType {kind!r}, "
                "expected CUSTOM (the JWT authorizer) or NONE (public)"
            )
    return problems


THROTTLING = ("ThrottlingBurstLimit", "ThrottlingRateLimit")


def http_api_settings(t: Templates) -> list[str]:
    """Every HTTP API has a 2.0 simple-response Lambda REQUEST authorizer, CORS and a throttled
    stage; every route says CUSTOM (that authorizer) or NONE; and no function has an HttpApi event
    outside an HttpApi of the application (an implicit API would have none of these)."""
    apis = {
        name: props
        for name, props in t.resources("AWS::ApiGatewayV2::Api").items()
        if props.get("ProtocolType", "HTTP") == "HTTP"
    }
    problems = [] if apis else ["the application declares no HTTP API"]
    for name, props in sorted(apis.items()):
        problems += _http_api_problems(t, name, props)
    sam_apis = t.resources("AWS::Serverless::HttpApi", sam=True)
    for name, props in sorted(t.resources("AWS::Serverless::Function", sam=True).items()):
        for event_name, event in (props.get("Events") or {}).items():
            api = target((event.get("Properties") or {}).get("ApiId"))
            if event.get("Type") == "HttpApi" and api not in sam_apis:
                problems.append(
                    f"{name} event {event_name} is not on an HttpApi of this template (ApiId {api})"
                )
    return problems


def event_buses_archived(t: Templates) -> list[str]:
    """There is a custom event bus, and every custom bus has an AWS::Events::Archive."""
    buses = t.resources("AWS::Events::EventBus")
    archived = {target(props.get("SourceArn")) for props in t.resources("AWS::Events::Archive").values()}
    problems = [] if buses else ["the template declares no custom AWS::Events::EventBus"]
    return problems + [
        f"event bus {name} has no AWS::Events::Archive" for name in sorted(buses) if name not in archived
    ]


def idempotency_table_ttl(t: Templates) -> list[str]:
    """The table in IDEMPOTENCY_TABLE_NAME has Powertools' key and TTL on Powertools' expiry attribute."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer  # noqa: PLC0415

    defaults = inspect.signature(DynamoDBPersistenceLayer.__init__).parameters
    key, expiry = defaults["key_attr"].default, defaults["expiry_attr"].default
    variables = (((t.sam.get("Globals") or {}).get("Function") or {}).get("Environment") or {}).get(
        "Variables"
    ) or {}
    table = target(variables.get("IDEMPOTENCY_TABLE_NAME"))
    if t.type_of(table) != "AWS::DynamoDB::Table":
        return [
            "Globals.Function.Environment.Variables.IDEMPOTENCY_TABLE_NAME is not a table of this template"
        ]
    props = t.cfn["Resources"][table]["Properties"]
    ttl = props.get("TimeToLiveSpecification") or {}
    hash_key = next(
        (k["AttributeName"] for k in props.get("KeySchema", []) if k.get("KeyType") == "HASH"), None
    )
    problems = []
    if ttl.get("Enabled") is not True or ttl.get("AttributeName") != expiry:
        problems.append(
            f"{table} has TimeToLiveSpecification {ttl}, expected {{AttributeName: {expiry}, Enabled: true}}"
        )
    if hash_key != key:
        problems.append(f"{table}'s partition key is {hash_key!r}; Powertools idempotency writes {key!r}")
    return problems


# ---------------------------------------------------------------------------- 10. data people would miss
def tables_have_point_in_time_recovery(t: Templates) -> list[str]:
    """Every DynamoDB table has point-in-time recovery (35 days of restorable history; a table
    holding only minutes of state costs next to nothing to keep recoverable)."""
    tables = t.resources("AWS::DynamoDB::Table")
    if not tables:
        return ["the template declares no AWS::DynamoDB::Table"]
    return [
        f"{name} has no PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true"
        for name, props in sorted(tables.items())
        if (props.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled") is not True
    ]


MEDIA_BUCKET_VARIABLE = "MEDIA_BUCKET_NAME"


def media_buckets(t: Templates) -> set[str]:
    """The buckets functions keep users' uploads in (named by MEDIA_BUCKET_NAME)."""
    found = set()
    for props in t.resources("AWS::Lambda::Function").values():
        variables = (props.get("Environment") or {}).get("Variables") or {}
        name = target(variables.get(MEDIA_BUCKET_VARIABLE))
        if t.type_of(name) == "AWS::S3::Bucket":
            found.add(str(name))
    return found


def media_bucket_versioned(t: Templates) -> list[str]:
    """The media bucket is versioned (a deleted or overwritten photo can be restored), and a
    lifecycle rule expires noncurrent versions (so storage does not grow without bound)."""
    buckets = media_buckets(t)
    if not buckets:
        return [f"no function names an AWS::S3::Bucket of this template in {MEDIA_BUCKET_VARIABLE}"]
    problems = []
    for name in sorted(buckets):
        props = t.cfn["Resources"][name].get("Properties") or {}
        if (props.get("VersioningConfiguration") or {}).get("Status") != "Enabled":
            problems.append(f"{name} has no VersioningConfiguration.Status: Enabled")
        rules = (props.get("LifecycleConfiguration") or {}).get("Rules") or []
        if not any(
            r.get("Status") == "Enabled"
            and not r.get("Prefix")
            and not r.get("Filter")
            and (r.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
            for r in rules
        ):
            problems.append(
                f"{name} has no enabled lifecycle rule expiring noncurrent versions of every object"
            )
    return problems


# ---------------------------------------------------------------------------- 11. presigned uploads
# The key prefixes uploads may go under (soko.market.listings, soko.posts.logic, dispute photos).
MEDIA_PREFIXES = frozenset({"listings", "posts", "disputes"})
_OBJECT_WRITES = re.compile(r"s3:(\*|Put\*|PutObject\*?)", re.IGNORECASE)
_PREFIXED = re.compile(r"arn:[^:]*:s3:::\$\{(?P<bucket>\w+)\}/(?P<prefix>[A-Za-z0-9_-]+)/\*")


def media_writes_are_prefixed(t: Templates) -> list[str]:
    """Whoever may write objects into the media bucket (s3:PutObject: presigned uploads) may only
    write under one of MEDIA_PREFIXES (``listings/*``, ``posts/*``, ``disputes/*``), never the
    whole bucket."""
    buckets = media_buckets(t)
    problems = []
    for grant in _grants(t):
        for policy, statement in grant.statements:
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            actions = [render(a) for a in branches(statement.get("Action"))]
            if not any(_OBJECT_WRITES.fullmatch(a) for a in actions):
                continue
            for resource in (render(r) for r in branches(statement.get("Resource"))):
                if not any(f"${{{bucket}}}" in resource for bucket in buckets) and "${?}" not in resource:
                    continue
                match = _PREFIXED.fullmatch(resource)
                if match is None or match["bucket"] not in buckets or match["prefix"] not in MEDIA_PREFIXES:
                    problems.append(
                        f"{grant.source} ({policy}) allows {sorted(actions)} on {resource!r}; uploads go "
                        f"under one of {sorted(MEDIA_PREFIXES)}/*"
                    )
    return problems


def media_writers(t: Templates) -> dict[str, set[str]]:
    """IAM resource -> the media bucket prefixes it may write (to show the check is not vacuous)."""
    writers: dict[str, set[str]] = defaultdict(set)
    for grant in _grants(t):
        for _, statement in grant.statements:
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            if any(_OBJECT_WRITES.fullmatch(render(a)) for a in branches(statement.get("Action"))):
                for resource in branches(statement.get("Resource")):
                    if match := _PREFIXED.fullmatch(render(resource)):
                        writers[grant.source].add(match["prefix"])
    return writers


# ---------------------------------------------------------------------------- 12. prod: live providers
# What gives a provider's sandbox away in a URL or setting.
SANDBOX_MARKERS = ("sandbox", "cybqa", "momodeveloper", "localhost", "127.0.0.1", "0.0.0.0", "ngrok")
SAMCONFIG = "samconfig.toml"


class _Unknown:
    """A value the evaluator cannot know (a resource's attribute, an import)."""


UNKNOWN = _Unknown()


def samconfig_overrides(root: Path, environment: str) -> dict[str, str]:
    """The parameter_overrides of ``sam deploy --config-env <environment>`` (samconfig.toml)."""
    import shlex  # noqa: PLC0415
    import tomllib  # noqa: PLC0415

    config = tomllib.loads((root / SAMCONFIG).read_text())
    text = config.get(environment, {}).get("deploy", {}).get("parameters", {}).get("parameter_overrides", "")
    pairs = shlex.split(text) if isinstance(text, str) else [str(p) for p in text]
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


_LOGIC: dict[str, Callable[[list[Any]], bool]] = {
    "Fn::Equals": lambda parts: str(parts[0]) == str(parts[1]),
    "Fn::Not": lambda parts: not parts[0],
    "Fn::And": all,
    "Fn::Or": any,
}


@dataclass(frozen=True)
class _Evaluator:
    """Values of a template's nodes for given parameter values (see :func:`evaluate`)."""

    doc: Doc
    values: dict[str, Any]

    def value(self, node: Any) -> Any:
        if isinstance(node, str | int | float | bool):
            return node
        if not isinstance(node, dict) or len(node) != 1:
            return UNKNOWN
        function, arg = next(iter(node.items()))
        handlers: dict[str, Callable[[Any], Any]] = {
            "Ref": lambda name: self.values.get(str(name), UNKNOWN),
            "Condition": self.condition,
            "Fn::If": self._if,
            "Fn::FindInMap": self._find_in_map,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
        }
        handler = handlers.get(function)
        if handler is not None:
            return handler(arg)
        if function in _LOGIC:
            parts = [self.value(a) for a in arg]
            return UNKNOWN if any(p is UNKNOWN for p in parts) else _LOGIC[function](parts)
        return UNKNOWN

    def condition(self, name: str) -> Any:
        return self.value((self.doc.get("Conditions") or {}).get(name, UNKNOWN))

    def _if(self, arg: list[Any]) -> Any:
        chosen = self.condition(arg[0])
        return UNKNOWN if chosen is UNKNOWN else self.value(arg[1] if chosen else arg[2])

    def _find_in_map(self, arg: list[Any]) -> Any:
        keys = [self.value(a) for a in arg]
        try:
            return self.doc["Mappings"][keys[0]][keys[1]][keys[2]]
        except (KeyError, TypeError):
            return UNKNOWN

    def _join(self, arg: list[Any]) -> Any:
        parts = self.value(arg[1]) if isinstance(arg[1], dict) else [self.value(a) for a in arg[1]]
        if not isinstance(parts, list) or any(not isinstance(p, str) for p in parts):
            return UNKNOWN
        return str(arg[0]).join(parts)

    def _select(self, arg: list[Any]) -> Any:
        items = self.value(arg[1]) if isinstance(arg[1], dict) else [self.value(a) for a in arg[1]]
        index = self.value(arg[0])
        if not isinstance(items, list) or not str(index).isdigit() or int(index) >= len(items):
            return UNKNOWN
        return items[int(index)]

    def _split(self, arg: list[Any]) -> Any:
        text = self.value(arg[1])
        return text.split(str(arg[0])) if isinstance(text, str) else UNKNOWN

    def _sub(self, arg: Any) -> Any:
        if not isinstance(arg, str):
            return UNKNOWN
        names = re.findall(r"\$\{([^}!]+)\}", arg)
        if any(not isinstance(self.values.get(name), str) for name in names):
            return UNKNOWN
        return re.sub(r"\$\{([^}!]+)\}", lambda m: str(self.values[m[1]]), arg)


def evaluate(node: Any, doc: Doc, parameters: dict[str, str]) -> Any:
    """A node's value for the given parameter values (the template's defaults for the others):
    Ref to a parameter, Fn::If and its conditions, Fn::FindInMap, Fn::Sub of parameters, Fn::Join,
    Fn::Select and Fn::Split. UNKNOWN
    for what only a deployment knows."""
    values = {
        name: parameters.get(name, spec.get("Default", UNKNOWN))
        for name, spec in (doc.get("Parameters") or {}).items()
    }
    return _Evaluator(doc, values).value(node)


def function_settings(t: Templates, parameters: dict[str, str]) -> dict[tuple[str, str], Any]:
    """(function, variable) -> the value each function's environment variable takes with these
    parameters (Globals included; UNKNOWN where only a deployment knows it)."""
    globals_ = (((t.sam.get("Globals") or {}).get("Function") or {}).get("Environment") or {}).get(
        "Variables"
    ) or {}
    settings: dict[tuple[str, str], Any] = {}
    for name, resource in t.sam.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        variables = ((resource.get("Properties") or {}).get("Environment") or {}).get("Variables") or {}
        for variable, node in {**globals_, **variables}.items():
            settings[(name, variable)] = evaluate(node, t.sam, parameters)
    return settings


def _sandboxed(t: Templates, parameters: dict[str, str], how: str) -> list[str]:
    return [
        f"with {how}, {function}'s {variable} is {value!r} (a provider sandbox)"
        for (function, variable), value in sorted(function_settings(t, parameters).items())
        if isinstance(value, str) and any(marker in value.lower() for marker in SANDBOX_MARKERS)
    ]


def prod_uses_live_providers(t: Templates) -> list[str]:
    """Stage=prod never reaches a provider sandbox: neither with samconfig.toml's prod overrides
    (`sam deploy --config-env prod`, which names the live endpoints explicitly) nor with the
    template's own defaults. Every function's environment is evaluated for both."""
    overrides = samconfig_overrides(t.root, "prod")
    problems = []
    if overrides.get("Stage") != "prod":
        problems.append(f"{SAMCONFIG} [prod.deploy.parameters] does not set Stage=prod")
    problems += _sandboxed(t, {**overrides, "Stage": "prod"}, f"{SAMCONFIG}'s prod overrides")
    problems += _sandboxed(t, {"Stage": "prod"}, "Stage=prod and the template's defaults")
    return problems


# ---------------------------------------------------------------------------- 13. public data access
# Functions anyone can reach without signing in, and how narrow their DynamoDB access must stay:
# table -> the leading keys their writes are limited to (None: actions narrowed, keys not).
PUBLIC_DATA_ACCESS: dict[str, dict[str, frozenset[str] | None]] = {
    "UssdFunction": {"UsersTable": None, "MarketTable": None, "MlTable": frozenset({"PREDCACHE#*"})},
    "MlPredictFunction": {"MlTable": frozenset({"PREDCACHE#*"})},
}
# table -> leading keys a public function must be denied explicitly.
PUBLIC_DENIED_KEYS: dict[str, dict[str, frozenset[str]]] = {
    "UssdFunction": {"UsersTable": frozenset({"REFRESH#*", "LOGINFAIL#*"})},
}
_BROAD_DYNAMODB = re.compile(r"dynamodb:(\*|Scan|BatchWriteItem|DescribeTable|PartiQL\w*|\w*\*)")
_DYNAMODB_WRITES = re.compile(r"dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|\*)")


def _leading_keys(statement: Doc) -> set[str] | None:
    for operator, conditions in (statement.get("Condition") or {}).items():
        if operator.startswith(("ForAllValues:", "ForAnyValue:")) and "dynamodb:LeadingKeys" in conditions:
            keys = conditions["dynamodb:LeadingKeys"]
            return {str(k) for k in (keys if isinstance(keys, list) else [keys])}
    return None


def _tables_named(statement: Doc, tables: dict[str, Any]) -> set[str]:
    resources = [render(r) for r in branches(statement.get("Resource"))]
    return {
        table for table in tables if any(f"${{{table}}}" in r or f"${{{table}.Arn}}" in r for r in resources)
    }


def _narrow_statement_problems(
    where: str, statement: Doc, tables: dict[str, frozenset[str] | None]
) -> list[str]:
    actions = [render(a) for a in branches(statement.get("Action"))]
    problems = [f"{where} allows {a}" for a in actions if _BROAD_DYNAMODB.fullmatch(a)]
    writes = [a for a in actions if _DYNAMODB_WRITES.fullmatch(a)]
    keys = _leading_keys(statement) or {"*"}
    for table in sorted(_tables_named(statement, tables)):
        allowed = tables[table]
        if writes and allowed is not None and not keys <= allowed:
            problems.append(f"{where} allows {writes} on {table} beyond the leading keys {sorted(allowed)}")
    return problems


def public_data_access_is_narrow(t: Templates) -> list[str]:
    """The public USSD and price functions (PUBLIC_DATA_ACCESS) never Scan, batch-write or describe a
    table, write the tables listed with leading keys only under those keys, and are denied the
    leading keys of PUBLIC_DENIED_KEYS (the users table's refresh-token families, for USSD)."""
    problems = []
    for function, tables in PUBLIC_DATA_ACCESS.items():
        grants = [g for g in _grants(t) if function in g.owners]
        if not grants:
            problems.append(f"{function} has no IAM role in the template")
        denied: dict[str, set[str]] = defaultdict(set)
        for grant in grants:
            for policy, statement in grant.statements:
                if statement.get("Effect") == "Deny":
                    for table in _tables_named(statement, tables):
                        denied[table] |= _leading_keys(statement) or set()
                else:
                    problems += _narrow_statement_problems(f"{grant.source} ({policy})", statement, tables)
        for table, keys in PUBLIC_DENIED_KEYS.get(function, {}).items():
            if not keys <= denied[table]:
                problems.append(
                    f"{function} is not denied the leading keys {sorted(keys - denied[table])} of {table}"
                )
    return problems
