"""Publishing the web app (soko_tools.publish_web) into moto's S3 and CloudFront, with the stack's
outputs read from a moto CloudFormation stack: the files' keys, types and cache headers, the upload
order, config.json, the invalidation, and which older files stay."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from soko_tools import publish_web
from soko_tools.publish_web import Site, publish, site_of

IMMUTABLE = "public, max-age=31536000, immutable"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def write_build(dist: Path, version: str) -> None:
    files = {
        "index.html": f'<!doctype html><script type="module" src="/assets/index-{version}.js"></script>',
        f"assets/index-{version}.js": f"import('./market-{version}.js')",
        f"assets/market-{version}.js": "export default 1",
        f"assets/index-{version}.css": "body{margin:0}",
        "assets/logo-fixed00.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",  # the same in every build
        "sw.js": f"self.SOKO_VERSION = '{version}';",
        "manifest.webmanifest": '{"name": "Soko"}',
        "icons/icon-192.png": "\x89PNG",
        ".vite/manifest.json": "{}",  # Vite's own record: not published
        "config.json": '{"apiBaseUrl": "http://localhost"}',  # a stray one: replaced by the stack's
    }
    for name, text in files.items():
        path = dist / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def clients(aws: None) -> Iterator[dict[str, Any]]:
    yield {
        name: boto3.client(name, region_name="us-east-1") for name in ("s3", "cloudfront", "cloudformation")
    }


@pytest.fixture
def site(clients: dict[str, Any]) -> Site:
    """A root stack with the outputs the publisher reads: its bucket is a real (moto) bucket of the
    stack and its distribution a real (moto) distribution."""
    distribution = clients["cloudfront"].create_distribution(
        DistributionConfig={
            "CallerReference": "web",
            "Comment": "web",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "build",
                        "DomainName": "b.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "build",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )["Distribution"]["Id"]
    template = {
        "Parameters": {"Stage": {"Type": "String"}},
        "Resources": {"WebBucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {
            "WebBucketName": {"Value": {"Ref": "WebBucket"}},
            "WebDistributionId": {"Value": distribution},
            "HttpApiUrl": {"Value": "https://abc123.execute-api.eu-west-1.amazonaws.com/"},
            "WebSocketUrl": {"Value": "wss://ws4567.execute-api.eu-west-1.amazonaws.com/live"},
            "WebUrl": {"Value": "https://d111.cloudfront.net/"},
        },
    }
    clients["cloudformation"].create_stack(
        StackName="soko-dev",
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "Stage", "ParameterValue": "dev"}],
    )
    return site_of(clients["cloudformation"], "soko-dev")


def objects(s3: Any, bucket: str) -> dict[str, dict[str, Any]]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: s3.head_object(Bucket=bucket, Key=key) for key in keys}


def test_the_site_is_read_from_the_stack(site: Site, clients: dict[str, Any]) -> None:
    assert site.bucket == clients["s3"].list_buckets()["Buckets"][0]["Name"]
    assert site.stage == "dev"
    assert site.api_base_url == "https://abc123.execute-api.eu-west-1.amazonaws.com/"
    assert site.websocket_url == "wss://ws4567.execute-api.eu-west-1.amazonaws.com/live"


def test_a_stack_without_the_site_is_refused(clients: dict[str, Any]) -> None:
    clients["cloudformation"].create_stack(
        StackName="old",
        TemplateBody=json.dumps(
            {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}, "Outputs": {"X": {"Value": "x"}}}
        ),
    )
    with pytest.raises(SystemExit, match="WebBucketName, WebDistributionId, HttpApiUrl, WebSocketUrl"):
        site_of(clients["cloudformation"], "old")


def test_publishing_uploads_the_build_with_types_and_cache_headers(
    tmp_path: Path, site: Site, clients: dict[str, Any]
) -> None:
    s3 = clients["s3"]
    puts: list[str] = []
    s3.meta.events.register(
        "provide-client-params.s3.PutObject", lambda params, **_: puts.append(params["Key"])
    )
    write_build(tmp_path, "aaa111")

    result = publish(tmp_path, site, s3=s3, cloudfront=clients["cloudfront"], now=T0)

    stored = objects(s3, site.bucket)
    expected = {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "assets/index-aaa111.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        "assets/market-aaa111.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        "assets/index-aaa111.css": ("text/css; charset=utf-8", IMMUTABLE),
        "assets/logo-fixed00.svg": ("image/svg+xml; charset=utf-8", IMMUTABLE),
        "sw.js": ("text/javascript; charset=utf-8", "no-cache"),
        "manifest.webmanifest": ("application/manifest+json; charset=utf-8", "no-cache"),
        "icons/icon-192.png": ("image/png", "no-cache"),
        "config.json": ("application/json; charset=utf-8", "no-cache"),
    }
    assert {
        k: (v["ContentType"], v.get("CacheControl")) for k, v in stored.items() if k != ".publish/builds.json"
    } == expected
    assert ".vite/manifest.json" not in stored
    # config.json is the stack's, not the build's: the APIs of this deployment and its stage.
    config = json.loads(s3.get_object(Bucket=site.bucket, Key="config.json")["Body"].read())
    assert config == {
        "apiBaseUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com",
        "websocketUrl": "wss://ws4567.execute-api.eu-west-1.amazonaws.com/live",
        "stage": "dev",
    }
    # Nothing names a file before it is up: the hashed assets first, index.html after every build file.
    first_other = min(i for i, key in enumerate(puts) if not key.startswith("assets/"))
    assert all(key.startswith("assets/") for key in puts[:first_other])
    assert puts.index("index.html") > max(
        i for i, key in enumerate(puts) if key in expected and key != "config.json" and key != "index.html"
    )
    assert puts[-1] == ".publish/builds.json"

    # The invalidation names every path that is not a hashed asset, and only those.
    invalidation = clients["cloudfront"].get_invalidation(
        DistributionId=site.distribution_id, Id=result.invalidation_id
    )["Invalidation"]
    paths = set(invalidation["InvalidationBatch"]["Paths"]["Items"])
    assert paths == {
        "/",
        "/index.html",
        "/sw.js",
        "/manifest.webmanifest",
        "/icons/icon-192.png",
        "/config.json",
    }
    assert result.deleted == []


def test_older_builds_go_only_after_one_build_back_and_the_grace(
    tmp_path: Path, site: Site, clients: dict[str, Any]
) -> None:
    s3, cloudfront = clients["s3"], clients["cloudfront"]
    grace = timedelta(hours=24)
    builds = {v: tmp_path / v for v in ("aaa111", "bbb222", "ccc333", "ddd444")}
    for version, dist in builds.items():
        write_build(dist, version)

    publish(builds["aaa111"], site, s3=s3, cloudfront=cloudfront, now=T0, grace=grace)
    second = publish(
        builds["bbb222"], site, s3=s3, cloudfront=cloudfront, now=T0 + timedelta(days=2), grace=grace
    )
    # One build back stays: a page opened on build aaa111 still finds its lazy chunks.
    assert second.deleted == []
    assert "assets/market-aaa111.js" in objects(s3, site.bucket)
    # A file every build has is not uploaded again (its name is its content's hash).
    assert "assets/logo-fixed00.svg" in second.skipped

    # Two builds back, but replaced (by bbb222) only an hour ago: within the grace, aaa111 stays.
    third = publish(
        builds["ccc333"], site, s3=s3, cloudfront=cloudfront, now=T0 + timedelta(days=2, hours=1), grace=grace
    )
    assert third.deleted == []
    # Two days later, aaa111 and bbb222 are both two or more builds back and past the grace: they go
    # (but not the file they share with the kept builds).
    fourth = publish(
        builds["ddd444"], site, s3=s3, cloudfront=cloudfront, now=T0 + timedelta(days=4), grace=grace
    )
    assert sorted(fourth.deleted) == [
        "assets/index-aaa111.css",
        "assets/index-aaa111.js",
        "assets/index-bbb222.css",
        "assets/index-bbb222.js",
        "assets/market-aaa111.js",
        "assets/market-bbb222.js",
    ]
    stored = objects(s3, site.bucket)
    assert {k for k in stored if k.startswith("assets/market-")} == {
        "assets/market-ccc333.js",
        "assets/market-ddd444.js",
    }
    assert "assets/logo-fixed00.svg" in stored and "index.html" in stored and "config.json" in stored
    record = json.loads(s3.get_object(Bucket=site.bucket, Key=".publish/builds.json")["Body"].read())
    assert [b["build"] for b in record["builds"]] == [third.build, fourth.build]


def test_a_bucket_without_a_record_keeps_what_it_holds_once(
    tmp_path: Path, site: Site, clients: dict[str, Any]
) -> None:
    s3 = clients["s3"]
    s3.put_object(Bucket=site.bucket, Key="assets/hand-made.js", Body=b"1")
    write_build(tmp_path / "a", "aaa111")
    write_build(tmp_path / "b", "bbb222")
    first = publish(tmp_path / "a", site, s3=s3, cloudfront=clients["cloudfront"], now=T0, grace=timedelta(0))
    assert first.deleted == []
    second = publish(
        tmp_path / "b",
        site,
        s3=s3,
        cloudfront=clients["cloudfront"],
        now=T0 + timedelta(days=1),
        grace=timedelta(0),
    )
    assert "assets/hand-made.js" in second.deleted


def test_an_unbuilt_app_is_refused(tmp_path: Path, site: Site, clients: dict[str, Any]) -> None:
    with pytest.raises(SystemExit, match="make web"):
        publish(tmp_path, site, s3=clients["s3"], cloudfront=clients["cloudfront"])


def test_the_region_is_the_one_samconfig_deploys_the_stack_to() -> None:
    assert publish_web.region_of("soko-dev") == "eu-west-1"
    assert publish_web.region_of("soko-localstack") == "us-east-1"
    assert publish_web.region_of("elsewhere") is None
