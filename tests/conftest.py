"""Fixtures shared by every suite.

Unit and functional tests never reach AWS: fake credentials and a fixed region are set before
boto3 loads, and ``AWS_ENDPOINT_URL`` is removed so nothing escapes ``mock_aws``. Functional
tests provision ``template.yaml`` itself into moto (the same code ``make dev`` uses), so a table,
queue or bus the template does not declare does not exist in the tests either.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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

from soko_local.provision import Deployment  # noqa: E402
from soko_local.template import AppModel, load_app  # noqa: E402
from support.lambda_env import (  # noqa: E402
    ACCOUNT_ID,
    REGION,
    FakeLambdaContext,
    Invoke,
    make_invoker,
    provision_template,
    reset_process_caches,
)

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"


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
    return provision_template(app_model, "soko-test")


@pytest.fixture
def invoke(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Invoke a template function's handler in-process with the environment the template gives it
    (the variables stay set until the test ends)."""
    return make_invoker(deployment, setenv=monkeypatch.setenv)


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
