"""soko_local.moto_patches: the local S3 honours a bucket's CORS rules as S3 does (the web app's
photo upload is a cross-origin presigned POST to the media bucket). A bucket made from a template
with a ``CorsConfiguration`` answers a preflight from an allowed origin, refuses another, and its
form upload's answer names the allowed origin; moto's own answer-everyone CORS is off."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from soko_local import moto_patches

APP = "http://app.example:3000"
OTHER = "https://evil.example"
TEMPLATE = {
    "Resources": {
        "Media": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "CorsConfiguration": {
                    "CorsRules": [
                        {
                            "AllowedMethods": ["GET", "POST"],
                            "AllowedOrigins": [APP],
                            "AllowedHeaders": ["*"],
                            "MaxAge": 600,
                        }
                    ]
                }
            },
        },
        "Plain": {"Type": "AWS::S3::Bucket"},
    }
}


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any, dict[str, str]]]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    moto_patches.apply()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        cfn = boto3.client("cloudformation", endpoint_url=endpoint)
        stack = f"cors-{uuid.uuid4().hex[:8]}"  # moto's backends outlive a server: one stack per test
        cfn.create_stack(StackName=stack, TemplateBody=json.dumps(TEMPLATE))
        resources = cfn.describe_stack_resources(StackName=stack)["StackResources"]
        buckets = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
        yield endpoint, boto3.client("s3", endpoint_url=endpoint), buckets
    finally:
        server.stop()


def preflight(url: str, origin: str) -> requests.Response:
    return requests.options(
        url, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=10
    )


def test_a_template_buckets_cors_rules_are_its_own(s3: tuple[str, Any, dict[str, str]]) -> None:
    _, client, buckets = s3
    rules = client.get_bucket_cors(Bucket=buckets["Media"])["CORSRules"]
    assert rules == [
        {
            "AllowedMethods": ["GET", "POST"],
            "AllowedOrigins": [APP],
            "AllowedHeaders": ["*"],
            "MaxAgeSeconds": 600,
        }
    ]


def test_preflight_allows_the_configured_origin_only(s3: tuple[str, Any, dict[str, str]]) -> None:
    endpoint, _, buckets = s3
    allowed = preflight(f"{endpoint}/{buckets['Media']}", APP)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP
    assert "POST" in allowed.headers["access-control-allow-methods"]
    refused = preflight(f"{endpoint}/{buckets['Media']}", OTHER)
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    # a bucket without rules answers no origin (moto's global wildcard is off)
    assert "access-control-allow-origin" not in preflight(f"{endpoint}/{buckets['Plain']}", APP).headers


def test_the_form_upload_answers_with_the_buckets_cors_headers(s3: tuple[str, Any, dict[str, str]]) -> None:
    _, client, buckets = s3
    form = client.generate_presigned_post(
        Bucket=buckets["Media"],
        Key="listings/x/1.jpg",
        Fields={"Content-Type": "image/jpeg"},
        Conditions=[{"Content-Type": "image/jpeg"}, ["content-length-range", 1, 1000]],
    )
    files = {"file": ("1.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg")}
    allowed = requests.post(
        form["url"], data=form["fields"], files=files, headers={"Origin": APP}, timeout=10
    )
    assert allowed.status_code == 204, allowed.text
    assert allowed.headers["access-control-allow-origin"] == APP
    other = requests.post(
        form["url"], data=form["fields"], files=files, headers={"Origin": OTHER}, timeout=10
    )
    assert "access-control-allow-origin" not in other.headers  # stored, but a browser may not read it
    assert client.get_object(Bucket=buckets["Media"], Key="listings/x/1.jpg")["ContentType"] == "image/jpeg"
