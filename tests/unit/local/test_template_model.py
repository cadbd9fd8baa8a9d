"""Reading the SAM template (soko_local.template) and the gateway's authorizer helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from soko_local import gateway
from soko_local.gateway import AuthorizerCache, _CacheEntry, _identity_values
from soko_local.template import (
    CODE_BUCKET,
    AppModel,
    Authorizer,
    EventSourceDef,
    FunctionUrlDef,
    ScheduleDef,
    TemplateError,
    describe,
    prepare,
    references,
    single_reference,
    translate,
)

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


# ---------------------------------------------------------------------------- references
@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Ref": "OrdersTable"}, {"OrdersTable"}),
        ({"Ref": "AWS::Region"}, set()),
        ({"Fn::GetAtt": ["OrdersQueue", "Arn"]}, {"OrdersQueue"}),
        ({"Fn::GetAtt": "OrdersQueue.Arn"}, {"OrdersQueue"}),
        ({"Fn::GetAtt": "Bucket.RegionalDomainName"}, {"Bucket"}),
        ({"Fn::Sub": "arn:aws:s3:::${MediaBucket}/*"}, {"MediaBucket"}),
        ({"Fn::Sub": "${OrdersFn.Arn}:live"}, {"OrdersFn"}),
        ({"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Topic}"}, {"Topic"}),
        ({"Fn::Sub": "${!Literal} and ${Real}"}, {"Real"}),
        ({"Fn::Sub": "no references at all"}, set()),
        (
            {"Fn::Sub": ["${Local}/${Table}", {"Local": "x"}]},
            {"Table"},
        ),
        (
            {"Fn::Sub": ["${Arn}/index/*", {"Arn": {"Fn::GetAtt": ["OrdersTable", "Arn"]}}]},
            {"OrdersTable"},  # found through the local variable's value, not its name
        ),
        (
            {"Fn::Sub": ["${Local.Attr}-${Other}", {"Local": {"Ref": "Source"}}]},
            {"Local", "Other", "Source"},
        ),
        (
            {"Fn::Join": ["", [{"Ref": "A"}, "-", {"Fn::GetAtt": ["B", "Arn"]}, {"Ref": "AWS::StackName"}]]},
            {"A", "B"},
        ),
        ({"Properties": {"Env": {"Variables": {"X": {"Ref": "P"}, "Y": [{"Ref": "Q"}]}}}}, {"P", "Q"}),
        ([{"Ref": "A"}, {"Ref": "A"}, "text", 3, None], {"A"}),
        ("plain string", set()),
        ({"Ref": ["not", "a", "name"]}, set()),
    ],
)
def test_references(node: Any, expected: set[str]) -> None:
    assert references(node) == expected


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Fn::GetAtt": ["Fn", "Arn"]}, "Fn"),
        ({"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:function:${Fn.Arn}"}, "Fn"),
        ([{"Ref": "Fn"}, {"Fn::GetAtt": "Fn.Arn"}], "Fn"),  # the same resource twice is one
    ],
)
def test_single_reference(node: Any, expected: str) -> None:
    assert single_reference(node) == expected


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:x", "found none"),
        ({"Ref": "AWS::Region"}, "found none"),
        ([{"Ref": "B"}, {"Ref": "A"}], r"found \['A', 'B'\]"),
    ],
)
def test_single_reference_errors(node: Any, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        single_reference(node)


# ---------------------------------------------------------------------------- prepare
@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "functions" / "app").mkdir(parents=True)
    (tmp_path / "layers" / "deps").mkdir(parents=True)
    (tmp_path / "statemachines").mkdir()
    (tmp_path / "statemachines" / "orders.asl.json").write_text(json.dumps(DEFINITION))
    return tmp_path.resolve()


def test_prepare_rewrites_local_uris_and_inlines_definitions(root: Path) -> None:
    sam = {
        "Globals": {"Function": {"CodeUri": "functions/app/", "Runtime": "python3.13"}},
        "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "./functions/app"}},
            "Inherits": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "a.b"}},
            "Remote": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "s3://bucket/key.zip"}},
            "Bucketed": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": {"Bucket": "b", "Key": "k"}},
            },
            "Deps": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": "layers/deps"}},
            "Machine": {
                "Type": "AWS::Serverless::StateMachine",
                "Properties": {"DefinitionUri": "statemachines/orders.asl.json"},
            },
            "Other": {"Type": "AWS::SQS::Queue", "Properties": {"CodeUri": "not/a/dir"}},
        },
    }
    original = json.dumps(sam, sort_keys=True)

    doc = prepare(sam, root)

    resources = doc["Resources"]
    assert doc["Globals"]["Function"]["CodeUri"] == f"s3://{CODE_BUCKET}/functions/app"
    assert doc["Globals"]["Function"]["Runtime"] == "python3.13"
    assert resources["Fn"]["Properties"]["CodeUri"] == f"s3://{CODE_BUCKET}/functions/app"
    assert "CodeUri" not in resources["Inherits"]["Properties"]
    assert resources["Remote"]["Properties"]["CodeUri"] == "s3://bucket/key.zip"
    assert resources["Bucketed"]["Properties"]["CodeUri"] == {"Bucket": "b", "Key": "k"}
    assert resources["Deps"]["Properties"]["ContentUri"] == f"s3://{CODE_BUCKET}/layers/deps"
    assert resources["Machine"]["Properties"] == {"Definition": DEFINITION}
    assert resources["Other"]["Properties"]["CodeUri"] == "not/a/dir"  # not a function: untouched
    assert json.dumps(sam, sort_keys=True) == original  # the input is not modified


@pytest.mark.parametrize(
    ("where", "uri"),
    [
        ("function", "functions/missing"),
        ("globals", "functions/missing/"),
        ("layer", "layers/nothing"),
        ("function", "statemachines/orders.asl.json"),  # a file is not a code directory
    ],
)
def test_prepare_rejects_a_missing_directory(root: Path, where: str, uri: str) -> None:
    sam: dict[str, Any] = {"Resources": {}}
    if where == "globals":
        sam["Globals"] = {"Function": {"CodeUri": uri}}
    elif where == "layer":
        sam["Resources"]["L"] = {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": uri}}
    else:
        sam["Resources"]["F"] = {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": uri}}

    with pytest.raises(TemplateError, match="is not a directory under"):
        prepare(sam, root)


def test_prepare_rejects_a_directory_outside_the_root(root: Path) -> None:
    project = root / "project"
    project.mkdir()
    sam = {
        "Resources": {
            "F": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "../functions/app"}}
        }
    }

    with pytest.raises(TemplateError):
        prepare(sam, project)


# ---------------------------------------------------------------------------- translate + describe
def function(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::Serverless::Function", "Properties": properties}


def http_event(path: str, method: str, **extra: Any) -> dict[str, Any]:
    return {
        "Type": "HttpApi",
        "Properties": {"ApiId": {"Ref": "Api"}, "Path": path, "Method": method, **extra},
    }


SAM: dict[str, Any] = {
    "Transform": "AWS::Serverless-2016-10-31",
    "Globals": {"Function": {"Runtime": "python3.13", "CodeUri": "functions/app/", "Handler": "app.handler"}},
    "Resources": {
        "Api": {
            "Type": "AWS::Serverless::HttpApi",
            "Properties": {
                "CorsConfiguration": {"AllowOrigins": ["https://soko.example"], "AllowMethods": ["GET"]},
                "Auth": {
                    "DefaultAuthorizer": "TokenAuth",
                    "Authorizers": {
                        "TokenAuth": {
                            "FunctionArn": {"Fn::GetAtt": ["AuthFn", "Arn"]},
                            "AuthorizerPayloadFormatVersion": "2.0",
                            "EnableSimpleResponses": True,
                            "Identity": {"Headers": ["Authorization"], "ReauthorizeEvery": 60},
                        }
                    },
                },
            },
        },
        "AuthFn": function(),
        "ListingsFn": function(
            Events={
                "Get": http_event("/listings/{id}", "GET"),
                "All": http_event("/listings", "ANY"),
                "Health": http_event("/health", "GET", Auth={"Authorizer": "NONE"}),
            }
        ),
        "FallbackFn": function(Events={"Default": http_event("$default", "ANY")}),
        "UrlFn": function(FunctionUrlConfig={"AuthType": "NONE"}),
        "PrivateUrlFn": function(FunctionUrlConfig={"AuthType": "AWS_IAM"}),
        "Queue": {"Type": "AWS::SQS::Queue"},
        "ConsumerFn": function(
            Events={
                "Orders": {
                    "Type": "SQS",
                    "Properties": {
                        "Queue": {"Fn::GetAtt": ["Queue", "Arn"]},
                        "BatchSize": 5,
                        "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    },
                },
                "Paused": {
                    "Type": "SQS",
                    "Properties": {"Queue": {"Fn::GetAtt": ["Queue", "Arn"]}, "Enabled": False},
                },
            }
        ),
        "CronFn": function(
            Events={
                "Nightly": {
                    "Type": "Schedule",
                    "Properties": {"Schedule": "cron(0 3 * * ? *)", "Input": '{"kind": "nightly"}'},
                },
                "Hourly": {
                    "Type": "ScheduleV2",
                    "Properties": {"ScheduleExpression": "rate(1 hour)", "Input": '{"kind": "hourly"}'},
                },
            }
        ),
        "Machine": {
            "Type": "AWS::Serverless::StateMachine",
            "Properties": {
                "DefinitionUri": "statemachines/orders.asl.json",
                "Events": {
                    "Tick": {
                        "Type": "Schedule",
                        "Properties": {"Schedule": "rate(5 minutes)", "Enabled": False},
                    }
                },
            },
        },
        "OrdersTable": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
                "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True},
            },
        },
    },
}


@pytest.fixture
def model(root: Path) -> AppModel:
    cfn = translate(SAM, root, {}, REGION, ACCOUNT_ID)
    return describe(cfn, root)


def test_describe_functions(model: AppModel, root: Path) -> None:
    assert set(model.functions) == {
        "AuthFn",
        "ListingsFn",
        "FallbackFn",
        "UrlFn",
        "PrivateUrlFn",
        "ConsumerFn",
        "CronFn",
    }
    assert all(f.code_dir == root / "functions" / "app" for f in model.functions.values())


def test_describe_http_api_routes_and_authorizers(model: AppModel) -> None:
    (api,) = model.http_apis

    assert api.logical_id == "Api"
    assert sorted(api.routes, key=str) == sorted(
        [
            ("GET", "/listings/{id}", "ListingsFn", "TokenAuth"),
            ("ANY", "/listings", "ListingsFn", "TokenAuth"),
            ("GET", "/health", "ListingsFn", None),
            ("ANY", "$default", "FallbackFn", "TokenAuth"),
        ],
        key=str,
    )
    assert api.authorizers == {
        "TokenAuth": Authorizer(
            name="TokenAuth",
            function="AuthFn",
            identity_source=("$request.header.Authorization",),
            ttl_seconds=60,
            simple_responses=True,
        )
    }
    assert api.cors is not None
    assert api.cors["allowOrigins"] == ["https://soko.example"]


def test_describe_function_urls(model: AppModel) -> None:
    assert sorted(model.function_urls, key=lambda u: u.function) == [
        FunctionUrlDef("PrivateUrlFnUrl", "PrivateUrlFn", "AWS_IAM"),
        FunctionUrlDef("UrlFnUrl", "UrlFn", "NONE"),
    ]


def test_describe_event_sources(model: AppModel) -> None:
    assert sorted(model.event_sources, key=lambda s: s.logical_id) == [
        EventSourceDef("ConsumerFnOrders", "Queue", "ConsumerFn", 5, True, True),
        EventSourceDef("ConsumerFnPaused", "Queue", "ConsumerFn", 10, False, False),
    ]


def test_describe_schedules(model: AppModel) -> None:
    assert sorted(model.schedules, key=lambda s: s.logical_id) == [
        ScheduleDef("CronFnHourly", "rate(1 hour)", "function", "CronFn", '{"kind": "hourly"}', True),
        ScheduleDef("CronFnNightly", "cron(0 3 * * ? *)", "function", "CronFn", '{"kind": "nightly"}', True),
        ScheduleDef("MachineTick", "rate(5 minutes)", "state_machine", "Machine", None, False),
    ]


def test_describe_state_machines_and_ttl(model: AppModel) -> None:
    assert model.state_machines == ("Machine",)
    # The inlined DefinitionUri reaches the translated template as a DefinitionString.
    lines = model.cfn["Resources"]["Machine"]["Properties"]["DefinitionString"]["Fn::Join"][1]
    assert json.loads("\n".join(lines)) == DEFINITION
    assert model.ttl == {"OrdersTable": "expiresAt"}


def test_describe_refuses_a_function_without_local_code(model: AppModel, root: Path) -> None:
    cfn = json.loads(json.dumps(model.cfn))
    cfn["Resources"]["UrlFn"]["Properties"]["Code"] = {"S3Bucket": "elsewhere", "S3Key": "x.zip"}

    with pytest.raises(TemplateError, match="UrlFn has no local code directory"):
        describe(cfn, root)


def test_describe_refuses_a_schedule_targeting_something_else(model: AppModel, root: Path) -> None:
    cfn = json.loads(json.dumps(model.cfn))
    cfn["Resources"]["CronFnNightly"]["Properties"]["Targets"][0]["Arn"] = {"Fn::GetAtt": ["Queue", "Arn"]}

    with pytest.raises(TemplateError, match="schedule CronFnNightly targets Queue"):
        describe(cfn, root)


def test_translate_reports_invalid_documents(root: Path) -> None:
    sam = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {"Fn": function(CodeUri="functions/app", Runtime="python3.13")},  # no Handler
    }

    with pytest.raises(TemplateError, match="Fn"):
        translate(sam, root, {}, REGION, ACCOUNT_ID)


# ---------------------------------------------------------------------------- gateway helpers
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(gateway, "time", fake)
    return fake


def test_authorizer_cache_entry_lives_until_its_expiry(clock: FakeClock) -> None:
    cache = AuthorizerCache()
    entry = _CacheEntry(expires=clock.now + 300, allowed=True, context={"userId": "u-1"})
    cache.put(("TokenAuth", "Bearer a"), entry)

    assert cache.get(("TokenAuth", "Bearer a")) is entry
    assert cache.get(("TokenAuth", "Bearer b")) is None  # other identity values
    assert cache.get(("OtherAuth", "Bearer a")) is None
    clock.now += 299.9
    assert cache.get(("TokenAuth", "Bearer a")) is entry
    clock.now += 0.1  # expiry is exclusive
    assert cache.get(("TokenAuth", "Bearer a")) is None
    clock.now -= 100  # an expired entry is dropped, not merely hidden
    assert cache.get(("TokenAuth", "Bearer a")) is None


def test_authorizer_cache_keeps_denials(clock: FakeClock) -> None:
    cache = AuthorizerCache()
    cache.put(("TokenAuth", "bad"), _CacheEntry(clock.now + 10, False, None))

    cached = cache.get(("TokenAuth", "bad"))

    assert cached is not None
    assert cached.allowed is False


def test_authorizer_cache_is_bounded(clock: FakeClock) -> None:
    cache = AuthorizerCache()
    for index in range(10_002):
        cache.put((str(index),), _CacheEntry(clock.now + 60, True, None))

    assert cache.get(("10001",)) is not None
    assert cache.get(("0",)) is None  # cleared once it grew past 10,000 entries


def authorizer(*sources: str) -> Authorizer:
    return Authorizer("TokenAuth", "AuthFn", sources, 300, True)


@pytest.mark.parametrize(
    ("sources", "headers", "query", "expected"),
    [
        (("$request.header.Authorization",), {"authorization": "Bearer t"}, {}, ["Bearer t"]),
        (("$request.header.X-Api-Key",), {"x-api-key": "k"}, {}, ["k"]),
        (("$request.querystring.token",), {}, {"token": "q"}, ["q"]),
        (
            ("$request.header.Authorization", "$request.querystring.tenant"),
            {"authorization": "Bearer t"},
            {"tenant": "coop-1"},
            ["Bearer t", "coop-1"],
        ),
        # any missing or empty identity source: no values (API Gateway answers 401 without calling)
        (("$request.header.Authorization",), {}, {}, None),
        (("$request.header.Authorization",), {"authorization": ""}, {}, None),
        (("$request.header.Authorization",), {}, {"Authorization": "Bearer t"}, None),
        (("$request.querystring.token",), {"token": "h"}, {}, None),
        (
            ("$request.header.Authorization", "$request.querystring.tenant"),
            {"authorization": "Bearer t"},
            {},
            None,
        ),
        (("$context.identity.sourceIp",), {}, {}, None),
        ((), {"authorization": "Bearer t"}, {}, []),
    ],
)
def test_identity_values(
    sources: tuple[str, ...], headers: dict[str, str], query: dict[str, str], expected: list[str] | None
) -> None:
    assert _identity_values(authorizer(*sources), headers, query) == expected
