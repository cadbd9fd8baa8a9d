"""Fixtures of the analytics functional tests beside the metrics' (``metrics/conftest.py``): each test
gets the per-test deployment of ``tests/conftest.py``; the reports ledger test makes its money
through payments' own code paths, with the sandbox providers and tables of ``support.payments``.
None is autouse: a module that does not ask for one does not get it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from soko_local.provision import Deployment
from support.lambda_env import Invoke
from support.payments import Tables, sandbox_server
from support.sandbox import SandboxServer


@pytest.fixture
def server(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    with sandbox_server(deployment, monkeypatch.setenv) as server:
        yield server


@pytest.fixture
def run(server: SandboxServer) -> Invoke:
    assert server.invoke is not None
    return server.invoke


@pytest.fixture
def tables(deployment: Deployment) -> Tables:
    return Tables(deployment.physical["PaymentsTable"], deployment.physical["MarketTable"])
