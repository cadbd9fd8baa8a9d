"""Fixtures of the alerts functional suite (helpers: ``alerts_support.py``): template.yaml provisioned
into moto once per module, the alerts table emptied before each test, every AWS call recorded, the
notices the functions publish and the SMS they send captured instead of sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alerts_support import Captured, Gateway

from soko.shared.bus import EventPublisher
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.lambda_env import Invoke, aws_operations, deployed, make_invoker
from support.tables import Table, empty_table


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-alerts") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def gateway(deployment: Deployment, app_model: AppModel) -> Iterator[Gateway]:
    gateway = Gateway(make_invoker(deployment), app_model.http_apis[0].routes)
    with aws_operations(gateway.operations.append):
        yield gateway


@pytest.fixture(scope="module")
def invoker(deployment: Deployment) -> Invoke:
    return make_invoker(deployment)


@pytest.fixture(scope="module")
def alerts_table(deployment: Deployment) -> Table:
    return Table(deployment.physical["AlertsTable"])


@pytest.fixture(autouse=True)
def _empty(deployment: Deployment) -> None:
    empty_table(deployment.physical["AlertsTable"])
    empty_table(deployment.physical["IdempotencyTable"], ("id",))


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Captured:
    captured = Captured()
    monkeypatch.setattr(EventPublisher, "publish", captured.publish)
    monkeypatch.setattr("soko.alerts.deps.configured_sender", lambda: captured)
    return captured
