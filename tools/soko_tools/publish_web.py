"""Publish the web app's build to a deployed stack's site (``make deploy`` runs it after ``sam deploy``;
``make publish-web STAGE=dev`` alone):

    python -m soko_tools.publish_web --stack soko-dev [--dist web/dist] [--region eu-west-1]

The stack's outputs name the bucket (``WebBucketName``), the distribution (``WebDistributionId``) and
what ``/config.json`` tells the app (``HttpApiUrl``, ``WebSocketUrl``; the stage is the stack's
``Stage`` parameter). The region is ``--region``, else the one samconfig.toml deploys that stack to,
else boto3's default.

In this order, so that no one is ever served a file that names one not yet there:

1. the build's files, each with its Content-Type and Cache-Control (the rules the local runtime
   serves by, ``soko_local.webapp``: hashed ``assets/`` immutable for a year, everything else
   ``no-cache``): the hashed assets first (one already in the bucket is the same file: skipped),
   then the other files, ``index.html`` last;
2. ``config.json`` from the stack's outputs (a ``config.json`` in the build is not published);
3. the record of builds (``.publish/builds.json``, which the bucket policy keeps from CloudFront);
4. a CloudFront invalidation of every path that is not a hashed asset (``/`` and the shell's files);
5. only then, the files no kept build names. Kept: the new build, the one before it, and any build
   replaced less than ``--grace-hours`` (24) ago. A page opened before the deploy keeps its old
   index.html and service worker, and loads its lazy page chunks later: they must still be there.
   One build back covers an ordinary release; the grace covers a hotfix soon after one. (On a bucket
   without a record, whatever it holds counts as the previous build.)
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from soko_local.webapp import cache_control, content_type

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
RECORD_KEY = ".publish/builds.json"
CONFIG_KEY = "config.json"
ENTRY = "index.html"
GRACE = timedelta(hours=24)
# The root stack's outputs the publisher reads (tests/template/test_web_stack.py holds the template to them).
OUTPUTS = ("WebBucketName", "WebDistributionId", "HttpApiUrl", "WebSocketUrl")


@dataclass(frozen=True)
class Site:
    """What a deployed stack says about its site."""

    bucket: str
    distribution_id: str
    api_base_url: str
    websocket_url: str
    stage: str

    def config(self) -> dict[str, str]:
        """``/config.json``: where the app finds the APIs (the app adds paths to a base without /)."""
        return {
            "apiBaseUrl": self.api_base_url.rstrip("/"),
            "websocketUrl": self.websocket_url,
            "stage": self.stage,
        }


@dataclass(frozen=True)
class File:
    key: str
    path: Path

    @property
    def hashed(self) -> bool:
        return self.key.startswith("assets/")


@dataclass
class Published:
    build: str
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)
    invalidation_id: str | None = None


def site_of(cloudformation: Any, stack: str) -> Site:
    """The site of a deployed root stack, from its outputs and its Stage parameter."""
    found = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: str(o["OutputValue"]) for o in found.get("Outputs", [])}
    parameters = {p["ParameterKey"]: str(p["ParameterValue"]) for p in found.get("Parameters", [])}
    missing = [k for k in OUTPUTS if k not in outputs]
    if missing:
        raise SystemExit(
            f"stack {stack} has no {', '.join(missing)} output (is it deployed with the WebStack?)"
        )
    return Site(
        bucket=outputs["WebBucketName"],
        distribution_id=outputs["WebDistributionId"],
        api_base_url=outputs["HttpApiUrl"],
        websocket_url=outputs["WebSocketUrl"],
        stage=parameters.get("Stage", "unknown"),
    )


def build_files(dist: Path) -> list[File]:
    """The build's files to publish, in upload order: hashed assets, other files, index.html last.
    Dot-folders (Vite's ``.vite/manifest.json``) and a ``config.json`` of the build are left out."""
    if not (dist / ENTRY).is_file():
        raise SystemExit(f"{dist / ENTRY} is missing: build the web app first (make web)")
    files = [
        File(path.relative_to(dist).as_posix(), path)
        for path in sorted(dist.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(dist).parts)
    ]
    files = [f for f in files if f.key != CONFIG_KEY]
    return sorted(files, key=lambda f: (not f.hashed, f.key == ENTRY, f.key))


def build_id(files: Iterable[File], now: datetime) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.key.encode() + b"\0" + hashlib.sha256(file.path.read_bytes()).digest())
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{digest.hexdigest()[:12]}"


def _keys(s3: Any, bucket: str) -> set[str]:
    return {
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
    }


def _record(s3: Any, bucket: str, existing: set[str], now: datetime) -> list[dict[str, Any]]:
    """The builds published so far, oldest first (a bucket without a record: what it holds)."""
    if RECORD_KEY in existing:
        body = s3.get_object(Bucket=bucket, Key=RECORD_KEY)["Body"].read()
        return list(json.loads(body)["builds"])
    files = sorted(existing - {RECORD_KEY, CONFIG_KEY})
    return [{"build": "unrecorded", "published_at": now.isoformat(), "files": files}] if files else []


def kept_builds(builds: list[dict[str, Any]], now: datetime, grace: timedelta) -> list[dict[str, Any]]:
    """Of ``builds`` (oldest first, the new one last): the new one, the one before it, and any
    replaced (its successor published) less than ``grace`` ago."""
    replaced_lately = [
        build
        for build, successor in itertools.pairwise(builds[:-1])
        if now - datetime.fromisoformat(successor["published_at"]) < grace
    ]
    return replaced_lately + builds[-2:]


def publish(
    dist: Path,
    site: Site,
    *,
    s3: Any,
    cloudfront: Any,
    now: datetime | None = None,
    grace: timedelta = GRACE,
) -> Published:
    now = now or datetime.now(UTC)
    files = build_files(dist)
    result = Published(build=build_id(files, now))
    existing = _keys(s3, site.bucket)
    builds = _record(s3, site.bucket, existing, now)

    for file in files:
        if file.hashed and file.key in existing:
            result.skipped.append(file.key)
            continue
        s3.put_object(
            Bucket=site.bucket,
            Key=file.key,
            Body=file.path.read_bytes(),
            ContentType=content_type(file.key),
            CacheControl=cache_control(file.key),
        )
        result.uploaded.append(file.key)
    s3.put_object(
        Bucket=site.bucket,
        Key=CONFIG_KEY,
        Body=json.dumps(site.config()).encode(),
        ContentType=content_type(CONFIG_KEY),
        CacheControl=cache_control(CONFIG_KEY),
    )
    result.uploaded.append(CONFIG_KEY)

    builds.append({"build": result.build, "published_at": now.isoformat(), "files": [f.key for f in files]})
    builds = kept_builds(builds, now, grace)
    s3.put_object(
        Bucket=site.bucket,
        Key=RECORD_KEY,
        Body=json.dumps({"builds": builds}, indent=1).encode(),
        ContentType="application/json",
        CacheControl="no-store",
    )

    # `/admin` is rewritten to /index.html at the edge before the cache is looked up: it has no
    # cache entry of its own. `/` has (the root object is cached under the path asked for).
    result.invalidated = ["/", *(f"/{key}" for key in [*(f.key for f in files if not f.hashed), CONFIG_KEY])]
    answer = cloudfront.create_invalidation(
        DistributionId=site.distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(result.invalidated), "Items": result.invalidated},
            "CallerReference": f"soko-publish-{result.build}",
        },
    )
    result.invalidation_id = answer["Invalidation"]["Id"]

    keep = {key for build in builds for key in build["files"]} | {CONFIG_KEY, RECORD_KEY}
    stale = sorted(existing - keep)
    for start in range(0, len(stale), 1000):
        batch = stale[start : start + 1000]
        s3.delete_objects(Bucket=site.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
    result.deleted = stale
    return result


def region_of(stack: str, samconfig: Path = ROOT / "samconfig.toml") -> str | None:
    """The region samconfig.toml deploys ``stack`` to (``sam deploy --config-env``), if it names one."""
    if not samconfig.is_file():
        return None
    config = tomllib.loads(samconfig.read_text())
    for env in config.values():
        deploy = env.get("deploy", {}).get("parameters", {}) if isinstance(env, dict) else {}
        if deploy.get("stack_name") == stack and deploy.get("region"):
            return str(deploy["region"])
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stack", required=True, help="the deployed root stack (soko-<stage>)")
    parser.add_argument("--dist", type=Path, default=DIST, help="the build (default web/dist)")
    parser.add_argument("--region", help="default: samconfig.toml's region for the stack")
    parser.add_argument("--grace-hours", type=float, default=GRACE.total_seconds() / 3600)
    args = parser.parse_args(argv)

    import boto3  # noqa: PLC0415  (only when a deployed stack is asked for)

    session = boto3.session.Session(region_name=args.region or region_of(args.stack))
    site = site_of(session.client("cloudformation"), args.stack)
    started = time.monotonic()
    result = publish(
        args.dist,
        site,
        s3=session.client("s3"),
        cloudfront=session.client("cloudfront"),
        grace=timedelta(hours=args.grace_hours),
    )
    sys.stdout.write(
        f"published build {result.build} to s3://{site.bucket} in {time.monotonic() - started:.1f} s: "
        f"{len(result.uploaded)} uploaded, {len(result.skipped)} unchanged assets, "
        f"{len(result.deleted)} old files removed; invalidation {result.invalidation_id} of "
        f"{len(result.invalidated)} paths on {site.distribution_id}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
