"""Each template check can fail: it reports a deliberately broken template (a mutated in-memory copy
of template.yaml and its translation, or a small inline template), naming the offending resource,
and it accepts the correct form of the same thing (so it is not merely strict).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import template_checks as checks
from template_checks import Templates

from soko_local.template import StackTemplate

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
Edit = Callable[[Templates], None]
Check = Callable[[Templates], list[str]]


@pytest.fixture(scope="session")
def pristine(templates: Templates) -> Templates:
    return templates


def _apply(pristine: Templates, edits: tuple[Edit, ...]) -> Templates:
    broken = Templates(
        sam=copy.deepcopy(pristine.sam),
        cfn=copy.deepcopy(pristine.cfn),
        root=pristine.root,
        stacks=copy.deepcopy(pristine.stacks),
    )
    for edit in edits:
        edit(broken)
    return broken


# ---------------------------------------------------------------------------- edits
def _parent(t: Templates, form: str, path: str) -> tuple[Any, str]:
    *parents, last = path.split("/")
    node = getattr(t, form)
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    return node, last


def put(form: str, path: str, value: Any) -> Edit:
    """Set sam/cfn[path] (slash-separated; list indices as numbers)."""

    def edit(t: Templates) -> None:
        node, key = _parent(t, form, path)
        node[int(key) if isinstance(node, list) else key] = copy.deepcopy(value)

    return edit


def _without_put_events_conditions(role: str) -> Edit:
    def edit(t: Templates) -> None:
        for policy in t.cfn["Resources"][role]["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                statement.pop("Condition", None)

    return edit


def drop(form: str, path: str) -> Edit:
    def edit(t: Templates) -> None:
        node, key = _parent(t, form, path)
        del node[int(key) if isinstance(node, list) else key]

    return edit


def append(form: str, path: str, value: Any) -> Edit:
    def edit(t: Templates) -> None:
        node, key = _parent(t, form, path)
        node[key].append(copy.deepcopy(value))

    return edit


def only_resources(resources: dict[str, Any]) -> Edit:
    """Replace the translated template's resources with a small inline template."""
    return put("cfn", "Resources", resources)


def statement(**fields: Any) -> Edit:
    """Give HealthFunction's role one more inline policy statement."""
    return append(
        "cfn",
        "Resources/HealthFunctionRole/Properties/Policies",
        {"PolicyName": "Extra", "PolicyDocument": {"Statement": [{"Effect": "Allow", **fields}]}},
    )


def health_route(path: str, method: str = "GET", function: str = "HealthFunction") -> Edit:
    """Give the HTTP API one more route (an integration and a route, as the domain stacks write them)."""
    key = "Extra" + "".join(c for c in f"{method}{path}" if c.isalnum())

    def edit(t: Templates) -> None:
        t.cfn["Resources"][f"{key}Integration"] = {
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {
                "ApiId": {"Ref": "HttpApi"},
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": {"Fn::GetAtt": [function, "Arn"]},
            },
        }
        t.cfn["Resources"][f"{key}Route"] = {
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {
                "ApiId": {"Ref": "HttpApi"},
                "RouteKey": f"{method} {path}",
                "Target": {"Fn::Sub": f"integrations/${{{key}Integration}}"},
                "AuthorizationType": "NONE",
            },
        }

    return edit


def stack_text(name: str, old: str, new: str) -> Edit:
    """Change one stack's template as written (its first ``old``)."""

    def edit(t: Templates) -> None:
        stacks = [
            StackTemplate(s.name, s.path, s.text.replace(old, new, 1), s.cfn) if s.name == name else s
            for s in t.stacks
        ]
        assert stacks != list(t.stacks), f"{name} has no {old!r}"
        object.__setattr__(t, "stacks", tuple(stacks))

    return edit


def stacks_of(sizes: dict[str, int]) -> Edit:
    """Replace the stacks with ones of the given resource counts."""

    def edit(t: Templates) -> None:
        object.__setattr__(
            t,
            "stacks",
            tuple(
                StackTemplate(
                    name, Path(f"{name}.yaml"), "", {"Resources": {f"R{i}": {} for i in range(size)}}
                )
                for name, size in sizes.items()
            ),
        )

    return edit


def rule(name: str, target: str, **props: Any) -> Edit:
    arn = {"Fn::GetAtt": [target, "Arn"]}
    return put(
        "cfn",
        f"Resources/{name}",
        {"Type": "AWS::Events::Rule", "Properties": {**props, "Targets": [{"Id": "t", "Arn": arn}]}},
    )


# ---------------------------------------------------------------------------- inline queue templates
def queue(**props: Any) -> dict[str, Any]:
    return {"Type": "AWS::SQS::Queue", "Properties": props}


def redrive(dlq: str) -> dict[str, Any]:
    return {"deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]}, "maxReceiveCount": 5}


def dlq_alarm(
    dlq: str, value: Any = None, operator: str = "GreaterThanThreshold", threshold: Any = 0
) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": value or {"Fn::GetAtt": [dlq, "QueueName"]}}],
            "Statistic": "Maximum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "ComparisonOperator": operator,
            "Threshold": threshold,
        },
    }


GOOD_QUEUES = {
    "WorkQueue": queue(RedrivePolicy=redrive("WorkDlq")),
    "WorkDlq": queue(MessageRetentionPeriod=1209600),
    "WorkDlqAlarm": dlq_alarm("WorkDlq"),
}


# ---------------------------------------------------------------------------- the cases
@dataclass(frozen=True)
class Case:
    id: str
    check: Check
    edits: tuple[Edit, ...]
    names: tuple[str, ...]  # what the problem must mention (the offending resource first)


def samconfig(old: str, new: str) -> Edit:
    """Deploy with a samconfig.toml whose first ``old`` is ``new`` (a copy in a folder of its own)."""

    def edit(t: Templates) -> None:
        import tempfile  # noqa: PLC0415

        text = (t.root / checks.SAMCONFIG).read_text()
        assert old in text, f"samconfig.toml has no {old!r}"
        folder = Path(tempfile.mkdtemp(prefix="samconfig-"))
        (folder / checks.SAMCONFIG).write_text(text.replace(old, new, 1))
        object.__setattr__(t, "root", folder)

    return edit


def media_write(resource: str, action: str = "s3:PutObject") -> Edit:
    """HealthFunction may write objects of the media bucket at ``resource`` (``${MediaBucket}``)."""
    return statement(Action=action, Resource={"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{resource}"})


def role_statement(role: str, **fields: Any) -> Edit:
    """Give ``role`` one more inline policy statement."""
    return append(
        "cfn",
        f"Resources/{role}/Properties/Policies",
        {"PolicyName": "Extra", "PolicyDocument": {"Statement": [fields]}},
    )


def without_denials(role: str) -> Edit:
    def edit(t: Templates) -> None:
        for policy in t.cfn["Resources"][role]["Properties"]["Policies"]:
            document = policy["PolicyDocument"]
            document["Statement"] = [s for s in document["Statement"] if s.get("Effect") != "Deny"]

    return edit


def without_conditions(role: str) -> Edit:
    def edit(t: Templates) -> None:
        for policy in t.cfn["Resources"][role]["Properties"]["Policies"]:
            for item in policy["PolicyDocument"]["Statement"]:
                item.pop("Condition", None)

    return edit


CRUD = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Scan",
    "dynamodb:BatchWriteItem",
    "dynamodb:DescribeTable",
]
ML_TABLE_ARN = {"Fn::GetAtt": ["MlTable", "Arn"]}
MEDIA = "Resources/MediaBucket/Properties"
SANDBOX_MOMO = "https://sandbox.momodeveloper.mtn.com"


SQS_FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonSQSFullAccess"
XRAY = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
SQS_POLLER_ACTIONS = [  # what SAM's SQSPollerPolicy grants
    "sqs:ChangeMessageVisibility",
    "sqs:ChangeMessageVisibilityBatch",
    "sqs:DeleteMessage",
    "sqs:DeleteMessageBatch",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
]
HEALTH = "Resources/HealthFunction/Properties"  # the same path in template.yaml and its translation
API = "Resources/HttpApi/Properties"
JWT = "Resources/HttpApiAuthorizer/Properties"

BROKEN: list[Case] = [
    # 1 cfn-lint
    Case(
        "lint-sam",
        checks.lint_sam,
        (stack_text("PlatformStack", "MemorySize: 256", "MemorySize: 99999"),),
        ("platform.yaml", "E3034", "HealthFunction"),
    ),
    Case(
        "lint-cfn",
        checks.lint_translated,
        (put("cfn", "Resources/EventBus/Properties/Bogus", 1),),
        ("E3002", "EventBus"),
    ),
    Case(
        "lint-bad-action",  # the ignored SQS batch names do not hide other unknown actions
        checks.lint_translated,
        (statement(Action=[*SQS_POLLER_ACTIONS, "sqs:EatMessage"], Resource="*"),),
        ("W3037", "HealthFunctionRole", "eatmessage"),
    ),
    # 2 queues
    Case(
        "queue-without-dlq",
        checks.queues_have_dead_letter_queues,
        (only_resources({**GOOD_QUEUES, "Orphan": queue()}),),
        ("Orphan", "RedrivePolicy"),
    ),
    Case(
        "dlq-outside-template",
        checks.queues_have_dead_letter_queues,
        (
            only_resources(
                {"WorkQueue": queue(RedrivePolicy={"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:x"})}
            ),
        ),
        ("WorkQueue", "not a queue in this template"),
    ),
    Case(
        "dlq-short-retention",
        checks.queues_have_dead_letter_queues,
        (only_resources({**GOOD_QUEUES, "WorkDlq": queue(MessageRetentionPeriod=345600)}),),
        ("WorkDlq", "1209600"),
    ),
    Case(
        "dlq-without-alarm",
        checks.queues_have_dead_letter_queues,
        (only_resources({k: v for k, v in GOOD_QUEUES.items() if k != "WorkDlqAlarm"}),),
        ("WorkDlq", "Alarm"),
    ),
    Case(
        "dlq-alarm-on-queue-url",  # Ref is the queue URL: such an alarm never fires
        checks.queues_have_dead_letter_queues,
        (only_resources({**GOOD_QUEUES, "WorkDlqAlarm": dlq_alarm("WorkDlq", value={"Ref": "WorkDlq"})}),),
        ("WorkDlq", "Alarm"),
    ),
    Case(
        "dlq-alarm-threshold-10",
        checks.queues_have_dead_letter_queues,
        (only_resources({**GOOD_QUEUES, "WorkDlqAlarm": dlq_alarm("WorkDlq", threshold=10)}),),
        ("WorkDlq", "Alarm"),
    ),
    Case(
        "eventbridge-dlq-unalarmed",
        checks.queues_have_dead_letter_queues,
        (
            only_resources(
                {
                    **GOOD_QUEUES,
                    "RuleDlq": queue(),
                    "Rule": {
                        "Type": "AWS::Events::Rule",
                        "Properties": {
                            "EventPattern": {"source": ["x"]},
                            "Targets": [
                                {
                                    "Id": "q",
                                    "Arn": {"Fn::GetAtt": ["WorkQueue", "Arn"]},
                                    "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["RuleDlq", "Arn"]}},
                                }
                            ],
                        },
                    },
                }
            ),
        ),
        ("RuleDlq", "DLQ of rule Rule"),
    ),
    # 3 log groups
    Case(
        "no-log-group",
        checks.functions_have_log_groups,
        (drop("cfn", "Resources/HealthFunctionLogGroup"),),
        ("HealthFunction",),
    ),
    Case(
        "log-group-named-by-arn",
        checks.functions_have_log_groups,
        (
            put(
                "cfn",
                "Resources/HealthFunctionLogGroup/Properties/LogGroupName",
                {"Fn::Sub": "/aws/lambda/${HealthFunction.Arn}"},
            ),
        ),
        ("HealthFunction",),
    ),
    Case(
        "log-group-literal-name",
        checks.functions_have_log_groups,
        (
            put(
                "cfn",
                "Resources/AuthorizerFunctionLogGroup/Properties/LogGroupName",
                "/aws/lambda/AuthorizerFunction",
            ),
        ),
        ("AuthorizerFunction",),
    ),
    Case(
        "log-group-without-retention",
        checks.functions_have_log_groups,
        (drop("cfn", "Resources/HttpApiAccessLogGroup/Properties/RetentionInDays"),),
        ("HttpApiAccessLogGroup", "RetentionInDays"),
    ),
    Case(
        "put-events-without-source-condition",
        checks.put_events_is_limited_by_source,
        (_without_put_events_conditions("TrainPairFunctionRole"),),
        ("TrainPairFunctionRole", "events:source"),
    ),
    Case(
        "scheduled-function-without-errors-alarm",
        checks.scheduled_functions_have_error_alarms,
        (drop("cfn", "Resources/PaymentsSettlementFunctionErrorsAlarm"),),
        ("PaymentsSettlementFunction", "Errors alarm"),
    ),
    # 4 runtime and handlers
    Case(
        "runtime",
        checks.functions_use_the_runtime,
        (put("cfn", f"{HEALTH}/Runtime", "python3.12"),),
        ("HealthFunction", "python3.13"),
    ),
    Case(
        "architecture",
        checks.functions_use_the_runtime,
        (put("cfn", f"{HEALTH}/Architectures", ["x86_64"]),),
        ("HealthFunction", "arm64"),
    ),
    Case(
        "no-architecture",
        checks.functions_use_the_runtime,
        (drop("cfn", f"{HEALTH}/Architectures"),),
        ("HealthFunction", "arm64"),
    ),
    Case(
        "handler-module-missing",
        checks.handlers_exist,
        (put("cfn", f"{HEALTH}/Handler", "soko.health.nowhere.lambda_handler"),),
        ("HealthFunction", "soko/health/nowhere.py"),
    ),
    Case(
        "handler-attribute-missing",
        checks.handlers_exist,
        (put("cfn", f"{HEALTH}/Handler", "soko.health.handler.handler"),),
        ("HealthFunction", "defines no callable 'handler'"),
    ),
    Case(
        "handler-outside-code-uri",
        checks.handlers_exist,
        (put("cfn", f"{HEALTH}/Code/S3Key", "layers/deps"),),
        ("HealthFunction", "soko/health/handler.py"),
    ),
    # 5 least privilege
    Case(
        "resource-star",
        checks.least_privilege,
        (statement(Action="sqs:SendMessage", Resource="*"),),
        ("HealthFunctionRole", "HealthFunction", "WildcardReason"),
    ),
    Case(
        "service-level-arn",
        checks.least_privilege,
        (
            statement(
                Action="sqs:SendMessage",
                Resource={"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*"},
            ),
        ),
        ("HealthFunctionRole", "sqs:<Region>"),
    ),
    Case(
        "policy-template-star",  # what SQSPollerPolicy: {QueueName: "*"} translates to
        checks.least_privilege,
        (
            statement(
                Action=["sqs:ReceiveMessage"],
                Resource={
                    "Fn::Sub": ["arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${q}", {"q": "*"}]
                },
            ),
        ),
        ("HealthFunctionRole", "sqs:ReceiveMessage"),
    ),
    Case(
        "every-table",
        checks.least_privilege,
        (statement(Action="dynamodb:GetItem", Resource="arn:aws:dynamodb:us-east-1:123456789012:table/*"),),
        ("HealthFunctionRole", "table/*"),
    ),
    Case(
        "action-star-despite-reason",
        checks.least_privilege,
        (
            statement(Action="*", Resource={"Fn::GetAtt": ["EventBus", "Arn"]}),
            put(
                "sam",
                "Resources/HealthFunction/Metadata",
                {"WildcardReason": "It really needs everything here."},
            ),
        ),
        ("HealthFunctionRole", "'*'"),
    ),
    Case(
        "service-star",
        checks.least_privilege,
        (statement(Action=["events:*"], Resource={"Fn::GetAtt": ["EventBus", "Arn"]}),),
        ("HealthFunctionRole", "events:*"),
    ),
    Case(
        "not-action",
        checks.least_privilege,
        (statement(NotAction="iam:*", Resource="*"),),
        ("HealthFunctionRole", "NotAction"),
    ),
    Case(
        "placeholder-reason",
        checks.least_privilege,
        (
            statement(Action="s3:ListAllMyBuckets", Resource="*"),
            put("sam", "Resources/HealthFunction/Metadata", {"WildcardReason": "TODO"}),
        ),
        ("HealthFunctionRole",),
    ),
    Case(
        "xray-plus-more",
        checks.least_privilege,
        (statement(Action=[*XRAY, "s3:GetObject"], Resource="*"),),
        ("HealthFunctionRole", "s3:GetObject"),
    ),
    Case(
        "xray-untraced",
        checks.least_privilege,
        (drop("cfn", f"{HEALTH}/TracingConfig"),),
        ("HealthFunctionRole", "AWSXrayWriteOnlyAccess"),
    ),
    Case(
        "managed-policy",
        checks.least_privilege,
        (append("cfn", "Resources/AuthorizerFunctionRole/Properties/ManagedPolicyArns", SQS_FULL_ACCESS),),
        ("AuthorizerFunctionRole", "AmazonSQSFullAccess"),
    ),
    Case(
        "standalone-policy",
        checks.least_privilege,
        (
            put(
                "cfn",
                "Resources/ExtraPolicy",
                {
                    "Type": "AWS::IAM::Policy",
                    "Properties": {
                        "PolicyName": "extra",
                        "Roles": [{"Ref": "AuthorizerFunctionRole"}],
                        "PolicyDocument": {
                            "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]
                        },
                    },
                },
            ),
        ),
        ("ExtraPolicy", "AuthorizerFunction", "kms:Decrypt"),
    ),
    # 6 one Lambda per endpoint
    Case(
        "function-serves-two-routes",
        checks.one_function_per_route,
        (health_route("/status"),),
        ("HealthFunction", "2 routes"),
    ),
    Case(
        "catch-all-route",
        checks.one_function_per_route,
        (drop("cfn", "Resources/HealthRoute"), health_route("/{proxy+}", "ANY")),
        ("HealthFunction", "ANY /{proxy+}"),
    ),
    Case(
        "route-to-nothing",
        checks.one_function_per_route,
        (health_route("/ghost", function="GhostFunction"),),
        ("HttpApi", "GET /ghost"),
    ),
    # 6b SnapStart on the request path
    Case(
        "route-function-without-snapstart",
        checks.request_path_uses_snapstart,
        (drop("cfn", f"{HEALTH}/SnapStart"),),
        ("HealthFunction", "route GET /health", "SnapStart"),
    ),
    Case(
        "route-invokes-the-unqualified-function",
        checks.request_path_uses_snapstart,
        (
            put(
                "cfn",
                "Resources/HealthIntegration/Properties/IntegrationUri",
                {"Fn::GetAtt": ["HealthFunction", "Arn"]},
            ),
        ),
        ("route GET /health", "HealthFunction", "unqualified"),
    ),
    Case(
        "authorizer-invokes-the-unqualified-function",
        checks.request_path_uses_snapstart,
        (
            put(
                "cfn",
                "Resources/HttpApiAuthorizer/Properties/AuthorizerUri",
                {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:path/${AuthorizerFunction.Arn}/x"},
            ),
        ),
        ("authorizer HttpApiAuthorizer", "AuthorizerFunction", "unqualified"),
    ),
    # 7 EventBridge targets
    Case(
        "pattern-rule-to-lambda",
        checks.event_rule_targets,
        (rule("OnEvent", "HealthFunction", EventPattern={"source": ["soko"]}),),
        ("OnEvent", "AWS::Lambda::Function"),
    ),
    Case(
        "schedule-to-bus",
        checks.event_rule_targets,
        (rule("Nightly", "EventBus", ScheduleExpression="rate(1 day)"),),
        ("Nightly", "AWS::Events::EventBus"),
    ),
    Case(
        "scheduler-to-bus",
        checks.event_rule_targets,
        (
            put(
                "cfn",
                "Resources/Sched",
                {
                    "Type": "AWS::Scheduler::Schedule",
                    "Properties": {
                        "ScheduleExpression": "rate(1 day)",
                        "Target": {"Arn": {"Fn::GetAtt": ["EventBus", "Arn"]}},
                    },
                },
            ),
        ),
        ("Sched", "AWS::Events::EventBus"),
    ),
    # 8 descriptions
    Case(
        "no-description",
        checks.functions_have_descriptions,
        (drop("sam", "Resources/AuthorizerFunction/Properties/Description"),),
        ("AuthorizerFunction",),
    ),
    Case(
        "blank-description",
        checks.functions_have_descriptions,
        (put("sam", f"{HEALTH}/Description", " "),),
        ("HealthFunction",),
    ),
    # 9 globals and platform
    Case(
        "tracing-off",
        checks.function_globals,
        (put("sam", "Globals/Function/Tracing", "PassThrough"),),
        ("Globals.Function.Tracing",),
    ),
    Case(
        "no-timeout",
        checks.function_globals,
        (drop("sam", "Globals/Function/Timeout"),),
        ("Globals.Function.Timeout",),
    ),
    Case(
        "function-untraced",
        checks.function_globals,
        (put("cfn", f"{HEALTH}/TracingConfig/Mode", "PassThrough"),),
        ("HealthFunction",),
    ),
    Case(
        "payload-1.0",
        checks.http_api_settings,
        (put("cfn", f"{JWT}/AuthorizerPayloadFormatVersion", "1.0"),),
        ("HttpApi", "2.0"),
    ),
    Case(
        "iam-responses",
        checks.http_api_settings,
        (drop("cfn", f"{JWT}/EnableSimpleResponses"),),
        ("HttpApi", "EnableSimpleResponses"),
    ),
    Case(
        "no-authorizer",
        checks.http_api_settings,
        (drop("cfn", "Resources/HttpApiAuthorizer"),),
        ("HttpApi", "REQUEST authorizer"),
    ),
    Case(
        "route-without-authorization-type",
        checks.http_api_settings,
        (drop("cfn", "Resources/MeRoute/Properties/AuthorizationType"),),
        ("MeRoute", "GET /auth/me", "AuthorizationType"),
    ),
    Case(
        "route-with-a-foreign-authorizer",
        checks.http_api_settings,
        (put("cfn", "Resources/MeRoute/Properties/AuthorizerId", {"Ref": "WebSocketAuthorizer"}),),
        ("MeRoute", "names no authorizer"),
    ),
    Case(
        "no-cors",
        checks.http_api_settings,
        (drop("cfn", f"{API}/CorsConfiguration"),),
        ("HttpApi", "CorsConfiguration"),
    ),
    Case(
        "no-throttling",
        checks.http_api_settings,
        (drop("cfn", "Resources/HttpApiStage/Properties/DefaultRouteSettings/ThrottlingRateLimit"),),
        ("HttpApi", "Throttling"),
    ),
    Case(
        "implicit-api",
        checks.http_api_settings,
        (
            put(
                "sam",
                f"{HEALTH}/Events/Get",
                {"Type": "HttpApi", "Properties": {"Path": "/x", "Method": "GET"}},
            ),
        ),
        ("HealthFunction", "Get"),
    ),
    Case(
        "stack-over-budget",
        checks.stacks_within_budget,
        (stacks_of({"template.yaml": 40, "MarketStack": checks.STACK_RESOURCE_BUDGET + 1}),),
        ("MarketStack", str(checks.STACK_RESOURCE_BUDGET + 1)),
    ),
    Case("no-stacks", checks.stacks_within_budget, (stacks_of({}),), ("no stacks",)),
    Case(
        "no-archive",
        checks.event_buses_archived,
        (drop("cfn", "Resources/EventArchive"),),
        ("EventBus", "Archive"),
    ),
    Case(
        "no-ttl",
        checks.idempotency_table_ttl,
        (drop("cfn", "Resources/IdempotencyTable/Properties/TimeToLiveSpecification"),),
        ("IdempotencyTable", "expiration"),
    ),
    Case(
        "wrong-ttl",
        checks.idempotency_table_ttl,
        (put("cfn", "Resources/IdempotencyTable/Properties/TimeToLiveSpecification/AttributeName", "ttl"),),
        ("IdempotencyTable", "expiration"),
    ),
    # 10 data people would miss
    *(
        Case(
            f"no-pitr-{table}",
            checks.tables_have_point_in_time_recovery,
            (drop("cfn", f"Resources/{table}/Properties/PointInTimeRecoverySpecification"),),
            (table, "PointInTimeRecovery"),
        )
        for table in ("ChatTable", "NotificationsTable", "MessagingTable")
    ),
    Case(
        "pitr-disabled",
        checks.tables_have_point_in_time_recovery,
        (
            put(
                "cfn",
                "Resources/ChatTable/Properties/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled",
                False,
            ),
        ),
        ("ChatTable",),
    ),
    Case(
        "no-tables",
        checks.tables_have_point_in_time_recovery,
        (only_resources(GOOD_QUEUES),),
        ("no AWS::DynamoDB::Table",),
    ),
    Case(
        "media-unversioned",
        checks.media_bucket_versioned,
        (drop("cfn", f"{MEDIA}/VersioningConfiguration"),),
        ("MediaBucket", "Versioning"),
    ),
    Case(
        "media-versioning-suspended",
        checks.media_bucket_versioned,
        (put("cfn", f"{MEDIA}/VersioningConfiguration/Status", "Suspended"),),
        ("MediaBucket", "Versioning"),
    ),
    Case(
        "media-noncurrent-kept-forever",
        checks.media_bucket_versioned,
        (
            put(
                "cfn",
                f"{MEDIA}/LifecycleConfiguration/Rules",
                [
                    {
                        "Id": "Abort",
                        "Status": "Enabled",
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                    }
                ],
            ),
        ),
        ("MediaBucket", "noncurrent"),
    ),
    Case(
        "media-noncurrent-expiry-of-one-prefix",
        checks.media_bucket_versioned,
        (
            put(
                "cfn",
                f"{MEDIA}/LifecycleConfiguration/Rules",
                [
                    {
                        "Status": "Enabled",
                        "Prefix": "posts/",
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                    }
                ],
            ),
        ),
        ("MediaBucket", "noncurrent"),
    ),
    # 11 presigned uploads
    Case(
        "media-write-anywhere",
        checks.media_writes_are_prefixed,
        (media_write("${MediaBucket}/*"),),
        ("HealthFunctionRole", "listings"),
    ),
    Case(
        "media-write-other-prefix",
        checks.media_writes_are_prefixed,
        (media_write("${MediaBucket}/users/*"),),
        ("HealthFunctionRole", "users/*"),
    ),
    Case(
        "media-put-star",
        checks.media_writes_are_prefixed,
        (media_write("${MediaBucket}/*", action="s3:Put*"),),
        ("HealthFunctionRole", "s3:Put*"),
    ),
    Case(
        "media-sam-write-policy",  # what the presigning functions held before issue 14
        checks.media_writes_are_prefixed,
        (
            append(
                "cfn",
                "Resources/HealthFunctionRole/Properties/Policies",
                {
                    "PolicyName": "HealthFunctionRolePolicy9",
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"],
                                "Resource": [
                                    {
                                        "Fn::Sub": [
                                            "arn:${AWS::Partition}:s3:::${bucketName}",
                                            {"bucketName": {"Ref": "MediaBucket"}},
                                        ]
                                    },
                                    {
                                        "Fn::Sub": [
                                            "arn:${AWS::Partition}:s3:::${bucketName}/*",
                                            {"bucketName": {"Ref": "MediaBucket"}},
                                        ]
                                    },
                                ],
                            }
                        ]
                    },
                },
            ),
        ),
        ("HealthFunctionRole", "${MediaBucket}/*"),
    ),
    # 13 public functions' data access
    Case(
        "ussd-crud-again",
        checks.public_data_access_is_narrow,
        (role_statement("UssdFunctionRole", Effect="Allow", Action=CRUD, Resource=ML_TABLE_ARN),),
        ("UssdFunctionRole", "dynamodb:Scan", "dynamodb:BatchWriteItem", "MlTable"),
    ),
    Case(
        "predict-writes-any-key",
        checks.public_data_access_is_narrow,
        (without_conditions("MlPredictFunctionRole"),),
        ("MlPredictFunctionRole", "PutItem", "MlTable", "PREDCACHE#*"),
    ),
    Case(
        "predict-writes-another-key",
        checks.public_data_access_is_narrow,
        (
            role_statement(
                "MlPredictFunctionRole",
                Effect="Allow",
                Action="dynamodb:UpdateItem",
                Resource=ML_TABLE_ARN,
                Condition={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["PREDCACHE#*", "COVERAGE"]}},
            ),
        ),
        ("MlPredictFunctionRole", "UpdateItem", "MlTable"),
    ),
    Case(
        "ussd-reads-refresh-families",
        checks.public_data_access_is_narrow,
        (without_denials("UssdFunctionRole"),),
        ("UssdFunction", "REFRESH#*", "UsersTable"),
    ),
    # 12 prod talks to live providers
    Case(
        "prod-default-is-a-sandbox",
        checks.prod_uses_live_providers,
        (put("sam", "Mappings/ProviderEndpoints/live/Momo", SANDBOX_MOMO),),
        ("PaymentsInitiateFunction", "MOMO_BASE_URL", "template's defaults"),
    ),
    Case(
        "prod-condition-never-true",
        checks.prod_uses_live_providers,
        (put("sam", "Conditions/IsProd", {"Fn::Equals": [{"Ref": "Stage"}, "production"]}),),
        ("AFRICASTALKING_BASE_URL", "PESAPAL_BASE_URL", "MOMO_TARGET_ENVIRONMENT"),
    ),
    Case(
        "samconfig-prod-names-a-sandbox",
        checks.prod_uses_live_providers,
        (samconfig("MomoBaseUrl=https://proxy.momoapi.mtn.com", f"MomoBaseUrl={SANDBOX_MOMO}"),),
        ("PaymentsInitiateFunction", "MOMO_BASE_URL", "samconfig.toml"),
    ),
    Case(
        "samconfig-prod-sandbox-target",
        checks.prod_uses_live_providers,
        (samconfig("MomoTargetEnvironment=mtnuganda", "MomoTargetEnvironment=sandbox"),),
        ("MOMO_TARGET_ENVIRONMENT", "'sandbox'"),
    ),
    Case(
        "samconfig-prod-not-prod",
        checks.prod_uses_live_providers,
        (samconfig('parameter_overrides = "Stage=prod', 'parameter_overrides = "Stage=dev'),),
        ("Stage=prod",),
    ),
]


@pytest.mark.parametrize("case", BROKEN, ids=lambda case: case.id)
def test_check_reports_the_broken_resource(case: Case, pristine: Templates) -> None:
    problems = case.check(_apply(pristine, case.edits))
    assert problems, f"{case.check.__name__} passed a template broken by {case.id}"
    text = "\n".join(problems)
    assert all(name in text for name in case.names), f"expected {case.names} in:\n{text}"


# ---------------------------------------------------------------------------- the correct forms pass
REASON = {"WildcardReason": "CloudWatch PutMetricData supports no resource narrower than *."}
FIXED: list[Case] = [
    Case("queue-with-alarmed-dlq", checks.queues_have_dead_letter_queues, (only_resources(GOOD_QUEUES),), ()),
    Case(
        "dlq-alarm-at-least-one",
        checks.queues_have_dead_letter_queues,
        (
            only_resources(
                {
                    **GOOD_QUEUES,
                    "WorkDlqAlarm": dlq_alarm(
                        "WorkDlq", operator="GreaterThanOrEqualToThreshold", threshold="1"
                    ),
                }
            ),
        ),
        (),
    ),
    Case(
        "wildcard-with-reason",
        checks.least_privilege,
        (
            statement(Action="cloudwatch:PutMetricData", Resource="*"),
            put("sam", "Resources/HealthFunction/Metadata", REASON),
        ),
        (),
    ),
    Case(
        "sam-sqs-poller-policy",  # its batch "actions" are ignored by cfn-lint, the rest is not
        checks.lint_translated,
        (statement(Action=SQS_POLLER_ACTIONS, Resource="arn:aws:sqs:us-east-1:123456789012:orders"),),
        (),
    ),
    Case("xray-statement", checks.least_privilege, (statement(Action=XRAY, Resource="*"),), ()),
    Case(
        "index-wildcard-of-one-table",
        checks.least_privilege,
        (statement(Action="dynamodb:Query", Resource={"Fn::Sub": "${IdempotencyTable.Arn}/index/*"}),),
        (),
    ),
    Case("pitr-everywhere", checks.tables_have_point_in_time_recovery, (), ()),
    Case(
        "media-upload-prefix",
        checks.media_writes_are_prefixed,
        (media_write("${MediaBucket}/disputes/*"),),
        (),
    ),
    Case(
        "media-read-anywhere",  # reading (presigned GETs) is not what this check limits
        checks.media_writes_are_prefixed,
        (media_write("${MediaBucket}/*", action="s3:GetObject"),),
        (),
    ),
    Case(
        "samconfig-prod-without-provider-overrides",  # the template's defaults are live in prod
        checks.prod_uses_live_providers,
        (samconfig(" MomoBaseUrl=https://proxy.momoapi.mtn.com MomoTargetEnvironment=mtnuganda", ""),),
        (),
    ),
    Case(
        "objects-of-one-bucket",
        checks.least_privilege,
        (statement(Action="s3:GetObject", Resource="arn:aws:s3:::soko-media/*"),),
        (),
    ),
    Case(
        "pattern-rule-to-queue",
        checks.event_rule_targets,
        (only_resources({**GOOD_QUEUES}), rule("OnEvent", "WorkQueue", EventPattern={"source": ["soko"]})),
        (),
    ),
    Case(
        "schedule-to-function",
        checks.event_rule_targets,
        (rule("Nightly", "HealthFunction", ScheduleExpression="rate(1 day)"),),
        (),
    ),
]


FIXED.append(
    Case(
        "stacks-at-the-budget",
        checks.stacks_within_budget,
        (stacks_of({"template.yaml": 40, "MarketStack": checks.STACK_RESOURCE_BUDGET}),),
        (),
    )
)


@pytest.mark.parametrize("case", FIXED, ids=lambda case: case.id)
def test_check_accepts_the_correct_form(case: Case, pristine: Templates) -> None:
    problems = case.check(_apply(pristine, case.edits))
    assert not problems, "\n".join(problems)


def test_allow_listed_function_may_serve_two_routes(
    pristine: Templates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(checks.MULTI_ROUTE_FUNCTIONS, "HealthFunction", "health and status are one probe")
    assert checks.one_function_per_route(_apply(pristine, (health_route("/status"),))) == []
