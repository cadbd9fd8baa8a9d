"""Fixtures of the metrics functional tests (helpers: ``metrics_support.py``): template.yaml
provisioned into moto once per module, the analytics and idempotency tables emptied before each
test, every AWS operation recorded. In a folder of their own, so the reports and lake tests beside
it keep the per-test deployment of ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from metrics_support import Operations

from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import Invoke, aws_operations, deployed, make_invoker
from support.tables import Table, empty_table


@pytest.fixture(scope="module")
def operations() -> Iterator[Operations]:
    recorder = Operations()
    with aws_operations(recorder.record):
        yield recorder


@pytest.fixture(scope="module")
def deployment(app_model: AppModel, operations: Operations) -> Iterator[Deployment]:
    with deployed(app_model, "soko-metrics") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def invoke(deployment: Deployment) -> Invoke:
    return make_invoker(deployment)


@pytest.fixture(scope="module")
def api(invoke: Invoke, app_model: AppModel) -> Api:
    return Api(invoke, app_model.http_apis[0].routes)


@pytest.fixture(scope="module")
def analytics_table(deployment: Deployment) -> Table:
    return Table(deployment.physical["AnalyticsTable"])


@pytest.fixture(autouse=True)
def _empty(deployment: Deployment) -> None:
    empty_table(deployment.physical["AnalyticsTable"])
    empty_table(deployment.physical["IdempotencyTable"], ("id",))
