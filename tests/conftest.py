"""Fixtures shared by every suite.

Unit and functional tests never reach AWS: fake credentials and a fixed region are set before
boto3 loads, and ``AWS_ENDPOINT_URL`` is removed so nothing escapes ``mock_aws``. Functional
tests provision ``template.yaml`` itself into moto (the same code ``make dev`` uses), so a table,
queue or bus the template does not declare does not exist in the tests either.
"""

from __future__ import annotations

import importlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

for _name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_name, None)
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_SERVICE_NAME="soko",
    POWERTOOLS_METRICS_NAMESPACE="Soko",
)

from moto import mock_aws  # noqa: E402  (after the environment above)

from soko.shared import aws as soko_aws  # noqa: E402
from soko.shared import config as soko_config  # noqa: E402
from soko.shared import secrets as soko_secrets  # noqa: E402
from soko_local.provision import Deployment, provision  # noqa: E402
from soko_local.template import AppModel, load_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"


def reset_process_caches() -> None:
    """Forget cached clients, configs and secrets (each test gets fresh ones)."""
    soko_aws.reset()
    soko_config.load.cache_clear()
    soko_secrets.clear()


@pytest.fixture(scope="session")
def app_model() -> AppModel:
    """template.yaml, translated by aws-sam-translator as `sam deploy` would."""
    return load_app(TEMPLATE, parameters={"Stage": "local"}, region=REGION, account_id=ACCOUNT_ID)


@pytest.fixture
def aws() -> Iterator[None]:
    """In-process moto, with Step Functions executions enabled."""
    reset_process_caches()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield
    reset_process_caches()


@pytest.fixture
def deployment(aws: None, app_model: AppModel) -> Deployment:
    """Every resource of template.yaml, provisioned into moto."""
    import boto3  # noqa: PLC0415

    return provision(
        app_model,
        lambda service: boto3.client(service, region_name=REGION),
        stack_name=f"soko-test-{uuid.uuid4().hex[:6]}",
        parameters={"Stage": "local"},
    )


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:test-function"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


Invoke = Callable[[str, dict[str, Any]], Any]


@pytest.fixture
def invoke(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Invoke a template function's handler in-process with the environment the template gives it."""

    def _invoke(logical_id: str, event: dict[str, Any]) -> Any:
        config = deployment.functions[logical_id]
        for name, value in config.environment.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", config.name)
        soko_config.load.cache_clear()
        module_name, _, attribute = config.handler.rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        return handler(event, FakeLambdaContext(function_name=config.name))

    return _invoke


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
