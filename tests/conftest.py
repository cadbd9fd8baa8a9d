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

from soko_local.provision import Deployment  # noqa: E402
from soko_local.template import AppModel, load_app  # noqa: E402
from support.lambda_env import (  # noqa: E402
    ACCOUNT_ID,
    REGION,
    FakeLambdaContext,
    Invoke,
    fresh_aws,
    make_invoker,
    provision_template,
)

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"


@pytest.fixture(scope="session")
def app_model() -> AppModel:
    """template.yaml, translated by aws-sam-translator as `sam deploy` would."""
    return load_app(TEMPLATE, parameters={"Stage": "local"}, region=REGION, account_id=ACCOUNT_ID)


@pytest.fixture
def aws() -> Iterator[None]:
    """In-process moto, empty, with Step Functions executions enabled."""
    with fresh_aws(stepfunctions={"execute_state_machine": True}):
        yield


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


# ------------------------------------------------------------------------ pytest-xdist (make test)
_FUZZ_SENT = pytest.StashKey[int]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """A worker finished: add the fuzz requests it sent (tests/fuzz/conftest.py counts them)."""
    config: pytest.Config = node.config
    sent = getattr(node, "workeroutput", {}).get("fuzz_requests_sent", 0)
    config.stash[_FUZZ_SENT] = config.stash.get(_FUZZ_SENT, 0) + sent


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if sent := terminalreporter.config.stash.get(_FUZZ_SENT, 0):
        terminalreporter.write_line(f"fuzz: {sent} requests sent to the local runtime (all workers)")
