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
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from market_support import (
    REGION,
    Api,
    Invoke,
    Market,
    MarketTable,
    OperationRecorder,
    User,
    empty_all,
    make_invoker,
    new_user,
    reset_process_caches,
)
from moto import mock_aws
from moto.dynamodb.responses import DynamoResult

from soko_local.provision import Deployment, provision
from soko_local.template import AppModel


@pytest.fixture(scope="module")
def operations() -> Iterator[OperationRecorder]:
    """Every AWS API call goes through ``BaseClient._make_api_call``: wrapped to record its name."""
    recorder = OperationRecorder()
    original = BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        recorder.record(operation_name)
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = recording  # type: ignore[method-assign]
    try:
        yield recorder
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


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
    """template.yaml provisioned into in-process moto, once for the whole package."""
    reset_process_caches()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield provision(
            app_model,
            lambda service: boto3.client(service, region_name=REGION),
            stack_name=f"soko-market-{uuid.uuid4().hex[:6]}",
            parameters={"Stage": "local"},
        )
    reset_process_caches()


@pytest.fixture(scope="module")
def invoke(deployment: Deployment) -> Invoke:
    return make_invoker(deployment)


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

    return Api(invoke, app_model.http_apis[0].routes, jwt_secret, operations)


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
