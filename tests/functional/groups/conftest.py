"""Fixtures of the groups functional suite (helpers: ``groups_support.py``): template.yaml
provisioned into moto once per module, the groups, market and idempotency tables emptied before
each test, the events the functions publish captured instead of put on the bus, and the clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from groups_support import Bus, Groups

from soko.shared.bus import EventPublisher
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import deployed, make_invoker
from support.logistics import clock_at
from support.tables import empty_table


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-groups") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def module_groups(deployment: Deployment, app_model: AppModel) -> Groups:
    invoke = make_invoker(deployment)
    return Groups(deployment, Api(invoke, app_model.http_apis[0].routes), invoke, Bus())


@pytest.fixture
def groups(module_groups: Groups, monkeypatch: pytest.MonkeyPatch) -> Groups:
    for name in ("GroupsTable", "MarketTable"):
        empty_table(module_groups.deployment.physical[name])
    empty_table(module_groups.deployment.physical["IdempotencyTable"], ("id",))
    module_groups.bus.clear()
    monkeypatch.setattr(EventPublisher, "publish", module_groups.bus.publish)
    return module_groups


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Any:
    return clock_at(monkeypatch.setattr)
