"""Fixtures of the clusters functional suite: template.yaml provisioned into moto once per module
(Step Functions executions on, their Lambda tasks run in-process as the local runtime runs them on
its workers), GroupsTable emptied before each test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from soko.groups.dal_clusters import ClustersDal
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import Invoke, deployed, make_invoker
from support.tables import Table


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-clusters", stepfunctions={"execute_state_machine": True}) as deployment:
        yield deployment


@pytest.fixture(scope="module")
def invoke(deployment: Deployment) -> Invoke:
    return make_invoker(deployment)


@pytest.fixture(scope="module")
def gateway(invoke: Invoke, app_model: AppModel) -> Api:
    return Api(invoke, app_model.http_apis[0].routes)


@pytest.fixture(scope="module")
def groups_table(deployment: Deployment) -> Table:
    return Table(deployment.physical["GroupsTable"])


@pytest.fixture(scope="module")
def dal(deployment: Deployment) -> ClustersDal:
    return ClustersDal(deployment.physical["GroupsTable"], deployment.outputs["ModelsBucketName"])


@pytest.fixture(autouse=True)
def _fresh(groups_table: Table) -> None:
    with groups_table.table.batch_writer() as batch:
        for item in groups_table.items():
            batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})


@pytest.fixture
def lambda_tasks(deployment: Deployment, invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's Step Functions runs a Lambda task by calling the template's handler in-process
    (errors reported by exception class name, as the Lambda runtime and the local runtime do)."""
    from moto.awslambda.models import LambdaFunction  # noqa: PLC0415

    by_name = {config.name: logical for logical, config in deployment.functions.items()}

    def run(self: Any, event: Any = None) -> tuple[str, bool, str]:
        payload = json.loads(event) if isinstance(event, str | bytes) else (event or {})
        try:
            return json.dumps(invoke(by_name[self.function_name], payload)), False, ""
        except Exception as err:
            return json.dumps({"errorType": type(err).__name__, "errorMessage": str(err)}), True, ""

    monkeypatch.setattr(LambdaFunction, "_invoke_lambda", run)
