"""Fixtures of the admin functional suite: template.yaml provisioned into in-process moto once per
module; the audit and idempotency tables and every queue of the application emptied before each
test; every AWS call recorded (the audit log is read by Query, never Scan)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from admin_support import Operations, drain

from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import REGION, Invoke, aws_operations, deployed, make_invoker
from support.tables import Table, empty_table
from support.users import User, new_user


@pytest.fixture(scope="module")
def operations() -> Iterator[Operations]:
    recorder = Operations()
    with aws_operations(recorder.record):
        yield recorder


@pytest.fixture(scope="module")
def deployment(app_model: AppModel, operations: Operations) -> Iterator[Deployment]:
    with deployed(app_model, "soko-admin") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def invoke(deployment: Deployment) -> Invoke:
    return make_invoker(deployment)


@pytest.fixture(scope="module")
def api(invoke: Invoke, app_model: AppModel) -> Api:
    return Api(invoke, app_model.http_apis[0].routes)


@pytest.fixture(scope="module")
def audit_table(deployment: Deployment) -> Table:
    return Table(deployment.physical["AuditTable"])


@pytest.fixture(scope="module")
def sqs() -> Any:
    return boto3.client("sqs", region_name=REGION)


@pytest.fixture(scope="module")
def queue_urls(deployment: Deployment, sqs: Any) -> list[str]:
    prefix = deployment.functions["AdminQueuesFunction"].environment["QUEUE_NAME_PREFIX"]
    return list(sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", []))


@pytest.fixture(autouse=True)
def _fresh(deployment: Deployment, audit_table: Table, sqs: Any, queue_urls: list[str]) -> None:
    empty_table(audit_table.name)
    empty_table(deployment.physical["IdempotencyTable"], ("id",))
    for url in queue_urls:
        drain(sqs, url)


@pytest.fixture
def admin() -> User:
    return new_user("admin")
