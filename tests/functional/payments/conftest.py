"""Fixtures of the payments functional suite (helpers: ``payments_support.py``)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from payments_support import Invoke, SandboxServer, Tables

from soko.providers import momo, pesapal
from soko.shared import config as soko_config
from soko_local.provision import Deployment


@pytest.fixture
def server(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    """The sandbox providers and the webhook on a real port; the template's functions pointed at them."""
    pesapal.clear_cache()
    holder: dict[str, SandboxServer] = {}

    def _invoke(logical_id: str, event: dict[str, Any]) -> Any:
        config = deployment.functions[logical_id]
        base = holder["server"].url
        overrides = {
            "PESAPAL_BASE_URL": f"{base}/_sandbox/pesapal",
            "PESAPAL_IPN_URL": f"{base}/webhook/pesapal",
            "MOMO_BASE_URL": f"{base}/_sandbox/momo",
        }
        for name, value in {**config.environment, **overrides}.items():
            monkeypatch.setenv(name, str(value))
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", config.name)
        soko_config.load.cache_clear()
        module_name, _, attribute = config.handler.rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        return handler(event, _Context(config.name))

    server = SandboxServer(invoke=_invoke)
    holder["server"] = server
    with server.running():
        yield server
    pesapal.clear_cache()
    momo._tokens.clear()


class _Context:
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"
    log_group_name = "/aws/lambda/test"
    log_stream_name = "test"

    def __init__(self, name: str):
        self.function_name = name

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@pytest.fixture
def run(server: SandboxServer) -> Invoke:
    return server.invoke


@pytest.fixture
def tables(deployment: Deployment) -> Tables:
    return Tables(deployment.physical["PaymentsTable"], deployment.physical["MarketTable"])
