"""Fixtures of the disputes functional suite (helpers: ``disputes_support.py``): template.yaml
provisioned into moto once per module, the disputes table emptied before each test, every AWS call
recorded (so a test can prove a list never Scans)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from disputes_support import Disputes, DisputesTable, Gateway

from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.lambda_env import aws_operations, deployed, make_invoker
from support.tables import empty_table


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-disputes") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def gateway(deployment: Deployment, app_model: AppModel) -> Iterator[Gateway]:
    gateway = Gateway(make_invoker(deployment), app_model.http_apis[0].routes)
    with aws_operations(gateway.operations.append):
        yield gateway


@pytest.fixture(scope="module")
def disputes_table(deployment: Deployment) -> DisputesTable:
    return DisputesTable(deployment.physical["DisputesTable"])


@pytest.fixture
def disputes(gateway: Gateway, disputes_table: DisputesTable) -> Disputes:
    return Disputes(gateway, disputes_table)


@pytest.fixture(autouse=True)
def _empty(deployment: Deployment) -> None:
    empty_table(deployment.physical["DisputesTable"])
    empty_table(deployment.physical["IdempotencyTable"], ("id",))
