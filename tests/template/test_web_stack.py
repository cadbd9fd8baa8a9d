"""The web app's static site (stacks/web.yaml): its security headers are the local runtime's
(soko_local.webapp), so the two cannot drift; the bucket is private and reached only through an
Origin Access Control; the cache behaviours; the /admin entry; the outputs the publisher reads; and
the local runtime's handling of what moto cannot build (CloudFront)."""

from __future__ import annotations

import json
import shutil
import subprocess
from types import SimpleNamespace
from typing import Any

import pytest
import template_checks as checks
from template_checks import Templates

from soko_local import provision
from soko_local.provision import Deployment
from soko_local.template import AppModel, load_yaml
from soko_local.webapp import SECURITY_HEADERS, WebApp, content_security_policy
from soko_tools import publish_web

KEYWORDS = {"'self'", "'none'", "data:", "blob:"}
SHELL_FILES = ("index.html", "sw.js", "config.json", "manifest.webmanifest")
CLOUDFRONT_TYPES = {
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::Function",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::ResponseHeadersPolicy",
}


def web_stack(templates: Templates) -> dict[str, Any]:
    (stack,) = [s for s in templates.stacks if s.path.name == "web.yaml"]
    parsed: dict[str, Any] = checks._parsed(stack)
    return parsed


def resource(doc: dict[str, Any], logical_id: str) -> dict[str, Any]:
    props: dict[str, Any] = doc["Resources"][logical_id]["Properties"]
    return props


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split("; "):
        name, *sources = directive.split(" ")
        assert name not in parsed, f"{name} twice"
        parsed[name] = sources
    return parsed


def deployed_csp(templates: Templates) -> str:
    csp = resource(web_stack(templates), "WebHeadersPolicy")["ResponseHeadersPolicyConfig"]
    text = csp["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    assert isinstance(text, str)
    return text


def hosts(policy: dict[str, list[str]], name: str) -> list[str]:
    return [source for source in policy.get(name, []) if source not in KEYWORDS]


# ---------------------------------------------------------------------------- the same policy
def is_the_local_policy(text: str) -> bool:
    """``text`` is what soko_local.webapp.content_security_policy writes for some hosts."""
    policy = directives(text)
    return text == content_security_policy(
        connect=hosts(policy, "connect-src"),
        images=hosts(policy, "img-src"),
        frames=hosts(policy, "frame-src"),
    )


def test_the_deployed_csp_is_the_local_policy_with_the_deployments_hosts(templates: Templates) -> None:
    """The template's CSP is exactly what soko_local.webapp.content_security_policy writes when given
    the deployment's hosts: same directives, same order, same keywords; hosts only where the local
    one takes hosts (connect-src, img-src, frame-src)."""
    text = deployed_csp(templates)
    policy = directives(text)
    assert is_the_local_policy(text)
    region = "${AWS::Region}.${AWS::URLSuffix}"
    assert hosts(policy, "connect-src")[:2] == [
        f"https://${{HttpApi}}.execute-api.{region}",
        f"wss://${{WebSocketApi}}.execute-api.{region}",
    ]
    media = {"https://${MediaBucket}.s3.${AWS::URLSuffix}", f"https://${{MediaBucket}}.s3.{region}"}
    assert set(hosts(policy, "img-src")) == media
    assert set(hosts(policy, "connect-src")[2:]) == media  # the presigned POST of a photo
    assert hosts(policy, "frame-src") == ["${PesapalCheckoutOrigin}"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["script-src"] == ["'self'"]


@pytest.mark.parametrize(
    "drift",
    [
        ("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
        ("style-src 'self'", "style-src 'self' https://cdn.example"),
        ("; frame-ancestors 'none'", ""),
        ("object-src 'none'", "object-src 'self'"),
        ("font-src 'self'; manifest-src 'self'", "manifest-src 'self'; font-src 'self'"),
        ("connect-src 'self'", "connect-src"),
    ],
)
def test_the_agreement_check_sees_a_drift(drift: tuple[str, str]) -> None:
    local = content_security_policy(connect=["https://api"], images=["https://media"], frames=["https://pay"])
    assert is_the_local_policy(local)
    assert drift[0] in local
    assert not is_the_local_policy(local.replace(drift[0], drift[1]))


def test_the_local_csp_has_the_deployed_directives_and_keywords(templates: Templates) -> None:
    """What the local runtime sends (WebApp.headers) differs from the deployed policy only in hosts."""

    runtime = SimpleNamespace(
        websockets=[SimpleNamespace(url="ws://127.0.0.1:3001")], aws_endpoint="http://127.0.0.1:5000"
    )
    local = directives(WebApp(runtime).headers()["Content-Security-Policy"])  # type: ignore[arg-type]
    deployed = directives(deployed_csp(templates))
    assert list(local) == list(deployed)
    for name in deployed:
        assert [s for s in local[name] if s in KEYWORDS] == [s for s in deployed[name] if s in KEYWORDS], name
    assert hosts(local, "connect-src") == ["ws://127.0.0.1:3001", "http://127.0.0.1:5000"]


def test_the_deployed_headers_are_the_local_ones(templates: Templates) -> None:
    config = resource(web_stack(templates), "WebHeadersPolicy")["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    custom = {item["Header"]: item for item in config["CustomHeadersConfig"]["Items"]}
    deployed = {
        "X-Content-Type-Options": "nosniff" if security["ContentTypeOptions"]["Override"] else None,
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        **{name: item["Value"] for name, item in custom.items()},
    }
    assert deployed == SECURITY_HEADERS
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 31536000 and hsts["IncludeSubdomains"]
    overrides = [v["Override"] for v in security.values()] + [item["Override"] for item in custom.values()]
    assert all(overrides), "an origin's header must never replace the policy's"


@pytest.mark.parametrize(
    ("stage", "origin"), [("prod", "https://pay.pesapal.com"), ("dev", "https://cybqa.pesapal.com")]
)
def test_the_payment_frame_is_pesapals_checkout_of_the_stage(
    templates: Templates, stage: str, origin: str
) -> None:
    """docs/providers.md: the live checkout in prod, the sandbox's elsewhere (never both)."""
    doc = load_yaml(templates.root / "template.yaml")
    given = doc["Resources"]["WebStack"]["Properties"]["Parameters"]["PesapalCheckoutOrigin"]
    assert checks.evaluate(given, doc, {"Stage": stage}) == origin
    overrides = checks.samconfig_overrides(templates.root, "prod")
    assert checks.evaluate(given, doc, {**overrides, "Stage": "prod"}) == "https://pay.pesapal.com"


# ---------------------------------------------------------------------------- the site
def test_the_bucket_is_private_encrypted_and_read_only_by_the_distribution(templates: Templates) -> None:
    doc = web_stack(templates)
    bucket = resource(doc, "WebBucket")
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    statements = resource(doc, "WebBucketPolicy")["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allows] == [{"Service": "cloudfront.amazonaws.com"}]
    assert set(allows[0]["Action"]) == {"s3:GetObject", "s3:ListBucket"}
    source = allows[0]["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":distribution/${WebDistribution}")
    denies = {json.dumps(s["Resource"]) for s in statements if s["Effect"] == "Deny"}
    assert (
        json.dumps({"Fn::Sub": "${WebBucket.Arn}/" + publish_web.RECORD_KEY.split("/")[0] + "/*"}) in denies
    )


def test_the_distribution_uses_an_origin_access_control_https_and_http3(templates: Templates) -> None:
    doc = web_stack(templates)
    config = resource(doc, "WebDistribution")["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    oac = resource(doc, "WebOriginAccessControl")["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")
    assert config["DefaultRootObject"] == "index.html"
    assert config["HttpVersion"] == "http2and3"
    assert "CustomErrorResponses" not in config  # a missing file is a 404, not index.html
    for behaviour in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behaviour["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")
        assert behaviour["Compress"] is True
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "WebHeadersPolicy"}
        assert behaviour["AllowedMethods"] == ["GET", "HEAD"]


def _ttls(doc: dict[str, Any], behaviour: dict[str, Any]) -> tuple[int, int, int]:
    policy = resource(doc, behaviour["CachePolicyId"]["Ref"])["CachePolicyConfig"]
    keys = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert keys["EnableAcceptEncodingGzip"] and keys["EnableAcceptEncodingBrotli"]
    return policy["MinTTL"], policy["DefaultTTL"], policy["MaxTTL"]


def test_hashed_assets_are_cached_long_and_the_shell_is_revalidated(templates: Templates) -> None:
    doc = web_stack(templates)
    config = resource(doc, "WebDistribution")["DistributionConfig"]
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert _ttls(doc, behaviours["assets/*"])[1:] == (31536000, 31536000)
    for name in SHELL_FILES:
        min_ttl, default_ttl, max_ttl = _ttls(doc, behaviours[name])
        assert min_ttl == 0 and default_ttl == 0 and max_ttl <= 60, name  # `no-cache` is honoured
    # `/` and `/admin` (index.html) come through the default behaviour: the shell's policy too.
    assert _ttls(doc, config["DefaultCacheBehavior"]) == _ttls(doc, behaviours["index.html"])


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the CloudFront function")
def test_admin_is_the_apps_entry(templates: Templates) -> None:
    """The viewer-request function (run in node) sends /admin and /admin/ to index.html, nothing else."""
    doc = web_stack(templates)
    behaviour = resource(doc, "WebDistribution")["DistributionConfig"]["DefaultCacheBehavior"]
    (association,) = behaviour["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert association["FunctionARN"]["Fn::GetAtt"][0] == "WebEntryFunction"
    code = resource(doc, "WebEntryFunction")["FunctionCode"]
    uris = ["/admin", "/admin/", "/", "/assets/admin-1.js", "/administrator", "/admin/x", "/sw.js"]
    script = (
        code
        + f"\nconsole.log(JSON.stringify({json.dumps(uris)}.map(u => handler({{request: {{uri: u}}}}).uri)))"
    )
    out = subprocess.run(
        ["node", "-e", script], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert json.loads(out) == [
        "/index.html",
        "/index.html",
        "/",
        "/assets/admin-1.js",
        "/administrator",
        "/admin/x",
        "/sw.js",
    ]


def test_the_root_outputs_what_the_publisher_reads(templates: Templates) -> None:
    outputs = templates.cfn["Outputs"]
    assert set(publish_web.OUTPUTS) <= set(outputs)
    assert {"WebUrl", "WebBucketName", "WebDistributionId"} <= set(outputs)


# ---------------------------------------------------------------------------- the local runtime
def test_the_local_runtime_leaves_cloudfront_out_and_keeps_the_bucket(app_model: AppModel) -> None:
    """moto cannot build CloudFront (nor a bucket policy): provisioning drops them and whatever
    refers to them, keeps the web bucket, and the root's outputs that name the distribution."""
    types = {k: v["Type"] for k, v in app_model.cfn["Resources"].items()}
    assert set(types.values()) >= CLOUDFRONT_TYPES
    built = provision.moto_template(app_model, provision.websocket_api_ids(app_model))
    kept = {types[k] for k in built["Resources"]}
    assert not kept & CLOUDFRONT_TYPES
    assert "WebBucket" in built["Resources"] and "WebBucketPolicy" not in built["Resources"]
    assert {"WebUrl", "WebDistributionId"}.isdisjoint(built["Outputs"])
    assert "WebBucketName" in built["Outputs"]


def test_the_local_runtime_provisions_with_the_web_stack(deployment: Deployment) -> None:
    assert deployment.physical["WebBucket"]
    assert "WebDistribution" not in deployment.physical
    assert deployment.outputs["WebBucketName"] == deployment.physical["WebBucket"]
