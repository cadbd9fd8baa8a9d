"""Fixtures of the marketplace's functional suite (helpers: ``market_support.py``).

Every handler runs in-process against moto resources provisioned from ``template.yaml`` by the
same ``provision`` the root ``deployment`` fixture uses. Provisioning the whole template costs about
1.7 s, so this package overrides ``deployment`` (and ``invoke``) at package scope and empties the
market and idempotency tables before each test instead. A module that sets ``SHARED_DATA = True``
(the browse suite) seeds its data once and keeps it for all of its tests.

moto 5.2 encodes every response with a generic, model-driven serializer that costs about 20 ms per
item-heavy DynamoDB response (a browse page of 30 listings of 40 attributes): most of this suite's
time. ``fast_dynamodb_reads`` encodes Query, Scan and GetItem results with ``json.dumps`` instead;
the bytes differ, the JSON is the same (``test_support.py`` proves it against the real serializer).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from market_support import Market, MarketTable, OperationRecorder, empty_all, forget_stream_records
from moto.dynamodb.responses import DynamoResult

from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import REGION, Invoke, aws_operations, deployed, make_invoker
from support.users import User, new_user


@pytest.fixture(scope="module")
def operations() -> Iterator[OperationRecorder]:
    """Every AWS API call's name, while ``recording``."""
    recorder = OperationRecorder()
    with aws_operations(recorder.record):
        yield recorder


FAST_OPERATIONS = frozenset({"Query", "Scan", "GetItem"})


@pytest.fixture(scope="module")
def fast_dynamodb_reads() -> Iterator[Any]:
    """Query/Scan/GetItem results as ``json.dumps`` (see the module docstring); yields the original."""
    original = DynamoResult.execute_result

    def execute_result(self: DynamoResult, context: Any) -> Any:
        if context.operation_model.name not in FAST_OPERATIONS or not isinstance(self.result, dict):
            return original(self, context)
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(self.result)

    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]
    try:
        yield original
    finally:
        DynamoResult.execute_result = original  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def deployment(
    app_model: AppModel, operations: OperationRecorder, fast_dynamodb_reads: Any
) -> Iterator[Deployment]:
    """template.yaml provisioned into in-process moto, once for the whole module."""
    with deployed(app_model, "soko-market", stepfunctions={"execute_state_machine": True}) as deployment:
        yield deployment


@pytest.fixture(scope="module")
def invoke(deployment: Deployment) -> Invoke:
    return make_invoker(deployment, after=forget_stream_records)


@pytest.fixture(scope="module")
def api(invoke: Invoke, app_model: AppModel, deployment: Deployment, operations: OperationRecorder) -> Api:
    secret: list[str] = []

    def jwt_secret() -> str:
        """The signing key, read from moto's Secrets Manager under the deployment's secret ARN."""
        if not secret:
            client = boto3.client("secretsmanager", region_name=REGION)
            value = client.get_secret_value(SecretId=deployment.secrets["JwtSigningSecret"])
            secret.append(value["SecretString"])
        return secret[0]

    return Api(invoke, app_model.http_apis[0].routes, jwt_secret=jwt_secret, observe=operations.watch)


@pytest.fixture(scope="module")
def market_table(deployment: Deployment) -> MarketTable:
    return MarketTable(deployment.physical["MarketTable"])


@pytest.fixture(autouse=True)
def _fresh_tables(request: pytest.FixtureRequest, deployment: Deployment, market_table: MarketTable) -> None:
    """Each test starts from empty tables, unless its module shares seeded data (``SHARED_DATA``)."""
    if not getattr(request.module, "SHARED_DATA", False):
        empty_all(deployment, market_table)


@pytest.fixture
def market(api: Api, market_table: MarketTable) -> Market:
    return Market(api, market_table)


@pytest.fixture
def farmer() -> User:
    return new_user("farmer")


@pytest.fixture
def buyer() -> User:
    return new_user("buyer")


@pytest.fixture
def admin() -> User:
    return new_user("admin")
