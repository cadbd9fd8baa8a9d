"""Fixtures of the payments functional suite (helpers: ``payments_support.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from payments_support import Tables

from soko.providers import momo, pesapal
from soko_local.provision import Deployment
from support.lambda_env import Invoke, make_invoker
from support.sandbox import SandboxServer


@pytest.fixture
def server(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    """The sandbox providers and the webhook on a real port; the template's functions pointed at them."""
    pesapal.clear_cache()
    server = SandboxServer()
    server.invoke = make_invoker(deployment, overrides=server.provider_urls, setenv=monkeypatch.setenv)
    yield server
    server.close()
    pesapal.clear_cache()
    momo._tokens.clear()


@pytest.fixture
def run(server: SandboxServer) -> Invoke:
    assert server.invoke is not None
    return server.invoke


@pytest.fixture
def tables(deployment: Deployment) -> Tables:
    return Tables(deployment.physical["PaymentsTable"], deployment.physical["MarketTable"])
