"""Nested stacks read as one application: parameters become the parent's expressions, outputs
become the child's, and what CloudFormation would refuse is refused here too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from soko_local import nested
from soko_local.template import TemplateError, load_app, stack_templates, translate_app

REGION, ACCOUNT_ID = "us-east-1", "123456789012"


def test_substitute_replaces_refs_and_sub_names() -> None:
    values = {"Table": {"Ref": "UsersTable"}, "Bus": {"Fn::GetAtt": ["EventBus", "Arn"]}, "Stage": "prod"}
    node = {
        "A": {"Ref": "Table"},
        "B": {"Fn::Sub": "${Table}/x/${Bus}/${Stage}/${AWS::Region}/${Other}"},
        "C": [{"Ref": "Unrelated"}],
    }
    assert nested.substitute(node, values) == {
        "A": {"Ref": "UsersTable"},
        "B": {"Fn::Sub": "${UsersTable}/x/${EventBus.Arn}/prod/${AWS::Region}/${Other}"},
        "C": [{"Ref": "Unrelated"}],
    }


def test_substitute_passes_an_expression_sub_cannot_inline_as_a_variable() -> None:
    condition = {"Fn::If": ["IsProd", "a", "b"]}
    assert nested.substitute({"Fn::Sub": "x-${Mode}"}, {"Mode": condition}) == {
        "Fn::Sub": ["x-${Mode}", {"Mode": condition}]
    }


def test_substitute_leaves_a_subs_own_variables_alone() -> None:
    node = {"Fn::Sub": ["${Table}-${Name}", {"Name": {"Ref": "Table"}}]}
    assert nested.substitute(node, {"Table": {"Ref": "T"}}) == {
        "Fn::Sub": ["${T}-${Name}", {"Name": {"Ref": "T"}}]
    }


def _stack(params: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::CloudFormation::Stack", "Properties": {"Parameters": params}}


def test_merge_inlines_children_and_wires_outputs_between_siblings() -> None:
    parent = {
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table"},
            "AStack": _stack({"TableName": {"Ref": "Table"}}),
            "BStack": _stack({"ApiId": {"Fn::GetAtt": ["AStack", "Outputs.Api"]}}),
        },
        "Outputs": {"Url": {"Value": {"Fn::Sub": "https://${AStack.Outputs.Api}/"}}},
    }
    a = {
        "Parameters": {"TableName": {"Type": "String"}, "Mode": {"Type": "String", "Default": "x"}},
        "Resources": {
            "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": {"Ref": "TableName"}}}
        },
        "Outputs": {"Api": {"Value": {"Ref": "Api"}}},
    }
    b = {
        "Parameters": {"ApiId": {"Type": "String"}},
        "Resources": {
            "Route": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {"ApiId": {"Ref": "ApiId"}}}
        },
    }
    merged = nested.merge(parent, {"AStack": a, "BStack": b})
    assert set(merged["Resources"]) == {"Table", "Api", "Route"}
    assert merged["Resources"]["Api"]["Properties"]["Name"] == {"Ref": "Table"}
    assert merged["Resources"]["Route"]["Properties"]["ApiId"] == {"Ref": "Api"}
    assert merged["Outputs"]["Url"]["Value"] == {"Fn::Sub": "https://${Api}/"}


@pytest.mark.parametrize(
    ("child", "given", "message"),
    [
        ({"Parameters": {"Need": {"Type": "String"}}, "Resources": {}}, {}, "no value for Need"),
        ({"Resources": {}}, {"Extra": "1"}, "does not declare"),
        ({"Resources": {"Table": {"Type": "AWS::SQS::Queue"}}}, {}, "Table is declared twice"),
    ],
)
def test_merge_refuses_what_cloudformation_would(
    child: dict[str, Any], given: dict[str, Any], message: str
) -> None:
    parent = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table"}, "AStack": _stack(given)}}
    with pytest.raises(nested.NestedStackError, match=message):
        nested.merge(parent, {"AStack": child})


def test_an_unknown_output_is_an_error() -> None:
    parent = {
        "Resources": {
            "AStack": _stack({}),
            "Q": {"Type": "X", "Properties": {"V": {"Fn::GetAtt": ["AStack", "Outputs.Nope"]}}},
        }
    }
    with pytest.raises(nested.NestedStackError, match="no output 'Nope'"):
        nested.merge(parent, {"AStack": {"Resources": {}}})


# ---------------------------------------------------------------------------- through the translator
ROOT_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: api, ProtocolType: HTTP, CorsConfiguration: {AllowOrigins: !Ref Origins}}
  Auth:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Api
      Name: jwt
      AuthorizerType: REQUEST
      AuthorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/${AuthFunction.Arn}/invocations
      AuthorizerPayloadFormatVersion: "2.0"
      EnableSimpleResponses: true
      IdentitySource: [$request.header.Authorization]
  AuthFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.auth, Runtime: python3.13, CodeUri: code/}
  DomainStack:
    Type: AWS::Serverless::Application
    Properties:
      Location: stacks/domain.yaml
      Parameters: {TableName: !Ref Table, ApiId: !Ref Api, AuthorizerId: !Ref Auth}
Parameters:
  Origins: {Type: CommaDelimitedList, Default: "https://a.example,https://b.example"}
Outputs:
  Fn:
    Value: !GetAtt DomainStack.Outputs.FunctionName
"""
CHILD_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  TableName: {Type: String}
  ApiId: {Type: String}
  AuthorizerId: {Type: String}
Globals:
  Function:
    CodeUri: ../code/
    Runtime: python3.13
Resources:
  GetFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.get
      Environment: {Variables: {TABLE: !Ref TableName}}
  GetIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref ApiId, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt GetFunction.Arn}
  GetRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref ApiId
      RouteKey: GET /things/{id}
      Target: !Sub integrations/${GetIntegration}
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref AuthorizerId
  PublicRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref ApiId
      RouteKey: GET /public
      Target: !Sub integrations/${GetIntegration}
      AuthorizationType: NONE
Outputs:
  FunctionName:
    Value: !Ref GetFunction
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text("def get(e, c): ...\ndef auth(e, c): ...\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "domain.yaml").write_text(CHILD_TEMPLATE)
    (tmp_path / "template.yaml").write_text(ROOT_TEMPLATE)
    return tmp_path / "template.yaml"


def test_the_application_reads_as_one_template(project: Path) -> None:
    app = load_app(project, parameters={}, region=REGION, account_id=ACCOUNT_ID)
    assert set(app.functions) == {"AuthFunction", "GetFunction"}
    assert app.functions["GetFunction"].code_dir == project.parent / "code"
    (api,) = app.http_apis
    assert sorted(api.routes) == [
        ("GET", "/public", "GetFunction", None),
        ("GET", "/things/{id}", "GetFunction", "Auth"),
    ]
    assert api.authorizers["Auth"].function == "AuthFunction"
    assert api.authorizers["Auth"].simple_responses is True
    assert api.cors == {"allowOrigins": ["https://a.example", "https://b.example"]}
    env = app.cfn["Resources"]["GetFunction"]["Properties"]["Environment"]["Variables"]
    assert env == {"TABLE": {"Ref": "Table"}}
    assert app.cfn["Outputs"]["Fn"]["Value"] == {"Ref": "GetFunction"}


def test_each_stack_is_translated_on_its_own(project: Path) -> None:
    stacks = stack_templates(project, parameters={}, region=REGION, account_id=ACCOUNT_ID)
    assert [s.name for s in stacks] == ["template.yaml", "DomainStack"]
    root, child = stacks
    assert root.cfn["Resources"]["DomainStack"]["Type"] == "AWS::CloudFormation::Stack"
    assert "GetFunction" in child.cfn["Resources"] and "GetFunction" not in root.cfn["Resources"]


def test_a_missing_nested_template_is_named(project: Path) -> None:
    (project.parent / "stacks" / "domain.yaml").unlink()
    with pytest.raises(TemplateError, match=r"stacks/domain.yaml"):
        translate_app(project, parameters={}, region=REGION, account_id=ACCOUNT_ID)


def test_a_route_to_an_unknown_authorizer_is_an_error(project: Path) -> None:
    child = project.parent / "stacks" / "domain.yaml"
    child.write_text(child.read_text().replace("AuthorizerId: !Ref AuthorizerId", "AuthorizerId: !Ref ApiId"))
    with pytest.raises(TemplateError, match="not a REQUEST authorizer"):
        load_app(project, parameters={}, region=REGION, account_id=ACCOUNT_ID)
