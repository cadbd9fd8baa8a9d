"""SnapStart hooks (what a restore refreshes) and the lazily created Tracer (no X-Ray SDK until a
traced path runs)."""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aws_lambda_powertools
import pytest
from botocore.exceptions import ClientError

from soko.shared import aws, dynamo, secrets, snapstart
from soko.shared.observability import LazyTracer, traced

APP = Path(__file__).resolve().parents[3] / "functions" / "app"


def test_outside_lambda_no_runtime_hooks_are_registered() -> None:
    assert snapstart.REGISTERED is False  # snapshot_restore_py exists only in Lambda's runtime


def test_a_restore_reseeds_random_so_restored_environments_differ() -> None:
    random.seed(1234)  # as if seeded before the snapshot: every restore would repeat this
    before = random.random()
    random.seed(1234)
    snapstart.run_after_restore()
    assert random.random() != before


def test_a_restore_drops_cached_clients_and_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets._cache["arn:secret"] = (0.0, "value-from-before-the-snapshot")
    session = aws._session()
    snapstart.run_after_restore()
    assert secrets._cache == {}
    assert aws._session() is not session


def test_hooks_run_in_registration_order_once_each() -> None:
    calls: list[str] = []

    def first() -> None:
        calls.append("first")

    def second() -> None:
        calls.append("second")

    try:
        snapstart.after_restore(first)
        snapstart.after_restore(second)
        snapstart.after_restore(first)  # registering twice does not run twice
        snapstart.run_after_restore()
    finally:
        snapstart._after_restore[:] = [h for h in snapstart._after_restore if h not in (first, second)]
    assert calls == ["first", "second"]


def test_traced_is_a_no_op_outside_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    tracer = LazyTracer()
    assert not tracer.enabled
    with tracer.span("## step") as segment:
        segment.put_annotation("k", "v")
    assert not tracer.created


def test_traced_is_off_when_powertools_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "fn")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    assert not LazyTracer().enabled
    with traced("## step"):
        pass


class _FakeProvider:
    def __init__(self) -> None:
        self.names: list[str] = []

    @contextlib.contextmanager
    def in_subsegment(self, name: str) -> Iterator[str]:
        self.names.append(name)
        yield name


class _FakeTracer:
    made = 0

    def __init__(self) -> None:
        _FakeTracer.made += 1
        self.provider = _FakeProvider()


def test_in_lambda_the_first_traced_path_creates_the_tracer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "fn")
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    monkeypatch.delenv("AWS_SAM_LOCAL", raising=False)
    monkeypatch.setattr(aws_lambda_powertools, "Tracer", _FakeTracer)  # no botocore patching here
    _FakeTracer.made = 0
    tracer = LazyTracer()
    assert tracer.enabled and not tracer.created
    with tracer.span("## provider pay.example") as first, tracer.span("## provider sms.example"):
        assert first == "## provider pay.example"
    assert tracer.created and _FakeTracer.made == 1
    assert tracer.get().provider.names == ["## provider pay.example", "## provider sms.example"]


def test_a_handler_import_with_tracing_on_loads_no_xray_sdk() -> None:
    """As Lambda imports it (tracing on, in a Lambda environment): no aws_xray_sdk until traced."""
    code = (
        "import sys, soko.identity.authorizer, soko.market.api.orders_get\n"
        "print('aws_xray_sdk' in sys.modules)"
    )
    env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_REGION": "eu-west-1"}
    done = subprocess.run(
        [sys.executable, "-P", "-c", code],
        cwd=APP,
        env={**env, "PYTHONPATH": str(APP)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.strip() == "False"


def test_priming_before_the_snapshot_imports_without_any_client_or_credentials() -> None:
    aws.reset()
    snapstart.prime()
    assert {"boto3", "boto3.dynamodb.conditions", "email_validator", "jwt", "argon2"} <= sys.modules.keys()
    assert aws._session.cache_info().currsize == 0 and aws.client.cache_info().currsize == 0


def test_dynamo_client_error_is_botocore_s_looked_up_on_use() -> None:
    assert dynamo.ClientError is ClientError
    with pytest.raises(AttributeError):
        _ = dynamo.NoSuchThing  # type: ignore[attr-defined]
