"""Fixtures of the payments functional suite (helpers: ``payments_support.py``, ``support.payments``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from soko_local.provision import Deployment
from support.lambda_env import Invoke
from support.payments import Tables, sandbox_server
from support.sandbox import SandboxServer


@pytest.fixture
def server(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    """The sandbox providers and the webhook on a real port; the template's functions pointed at them."""
    with sandbox_server(deployment, monkeypatch.setenv) as server:
        yield server


@pytest.fixture
def run(server: SandboxServer) -> Invoke:
    assert server.invoke is not None
    return server.invoke


@pytest.fixture
def tables(deployment: Deployment) -> Tables:
    return Tables(deployment.physical["PaymentsTable"], deployment.physical["MarketTable"])
