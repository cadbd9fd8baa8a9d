"""Fixtures of the logistics functional suite (helpers: ``logistics_support.py``): template.yaml
provisioned into moto once per module, the logistics, market and idempotency tables emptied before
each test, and real accounts (the quotes read transporters' names and buyers' districts through
identity), made once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from logistics_support import LogisticsTable, World

from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import Invoke, deployed, make_invoker
from support.tables import Table, empty_table


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-logistics") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def invoke(deployment: Deployment) -> Invoke:
    return make_invoker(deployment)


@pytest.fixture(scope="module")
def api(invoke: Invoke, app_model: AppModel) -> Api:
    return Api(invoke, app_model.http_apis[0].routes)


@pytest.fixture(scope="module")
def table(deployment: Deployment) -> LogisticsTable:
    return LogisticsTable(deployment.physical["LogisticsTable"])


@pytest.fixture(scope="module")
def market_table(deployment: Deployment) -> Table:
    return Table(deployment.physical["MarketTable"])


@pytest.fixture(scope="module")
def accounts(api: Api) -> World:
    """The accounts every test uses (registration hashes a password: made once)."""
    return World.register(api)


@pytest.fixture
def world(accounts: World, deployment: Deployment) -> World:
    for name in ("LogisticsTable", "MarketTable"):
        empty_table(deployment.physical[name])
    empty_table(deployment.physical["IdempotencyTable"], ("id",))
    return accounts
