"""Fixtures of the coops functional suite (helpers: ``coops_support.py``): template.yaml provisioned
into moto once per module, the coops and idempotency tables emptied before each test, real farmer
accounts made through identity's API once per module, and the events the functions publish captured
instead of sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from coops_support import Captured, CoopsWorld

from soko.shared.bus import EventPublisher
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import Invoke, deployed, make_invoker
from support.tables import Table, empty_table


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-coops") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def invoke(deployment: Deployment) -> Invoke:
    return make_invoker(deployment)


@pytest.fixture(scope="module")
def api(invoke: Invoke, app_model: AppModel) -> Api:
    return Api(invoke, app_model.http_apis[0].routes)


@pytest.fixture(scope="module")
def table(deployment: Deployment) -> Table:
    return Table(deployment.physical["CoopsTable"])


@pytest.fixture(scope="module")
def accounts(api: Api, deployment: Deployment) -> CoopsWorld:
    return CoopsWorld.register(api, deployment.physical["UsersTable"])


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Captured:
    captured = Captured()
    monkeypatch.setattr(EventPublisher, "publish", captured.publish)
    return captured


@pytest.fixture
def world(accounts: CoopsWorld, deployment: Deployment, captured: Captured) -> CoopsWorld:
    empty_table(deployment.physical["CoopsTable"])
    empty_table(deployment.physical["IdempotencyTable"], ("id",))
    accounts.captured = captured
    return accounts
