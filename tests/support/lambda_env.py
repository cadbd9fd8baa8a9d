"""Running a template function's handler in-process, as Lambda would: its template environment, a
Lambda context, and fresh process caches between deployments."""

from __future__ import annotations

import importlib
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.client import BaseClient
from moto import mock_aws
from moto.core.models import MockAWS

from soko.shared import aws as soko_aws
from soko.shared import config as soko_config
from soko.shared import secrets as soko_secrets
from soko_local.provision import Deployment, FunctionConfig, provision
from soko_local.template import AppModel

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"

Invoke = Callable[[str, dict[str, Any]], Any]
SetEnv = Callable[[str, str], None]


def reset_process_caches() -> None:
    """Forget cached clients, configs and secrets (each deployment gets fresh ones)."""
    soko_aws.reset()
    soko_config.load.cache_clear()
    soko_secrets.clear()


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:test-function"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def provision_template(app_model: AppModel, stack_name: str) -> Deployment:
    """Every resource of template.yaml, provisioned into the moto that is mocking AWS now."""
    return provision(
        app_model,
        lambda service: boto3.client(service, region_name=REGION),
        stack_name=f"{stack_name}-{uuid.uuid4().hex[:6]}",
        parameters={"Stage": "local"},
    )


@contextmanager
def fresh_aws(**mock_config: Any) -> Iterator[None]:
    """In-process moto with nothing in it (``mock_config``: moto's ``config=``).

    moto empties its backends only when no other mock is active: a mock started inside another
    (a fixture that outlives its module, say) would see, and add to, everything before it, and every
    test after would be slower and depend on the ones before. That is refused here."""
    if MockAWS._nested_count:  # moto's own count of the mocks active now
        raise RuntimeError(
            "a moto mock is already active, so this one would not start empty: a fixture holding "
            "mock_aws outlives its scope (a package-scoped fixture in a folder without __init__.py "
            "lasts the whole session)"
        )
    reset_process_caches()
    with mock_aws(config=mock_config or None):
        yield
    reset_process_caches()


@contextmanager
def deployed(app_model: AppModel, stack_name: str, **mock_config: Any) -> Iterator[Deployment]:
    """template.yaml provisioned into in-process moto (``mock_config``: moto's ``config=``)."""
    with fresh_aws(**mock_config):
        yield provision_template(app_model, stack_name)


def call_handler(config: FunctionConfig, event: dict[str, Any]) -> Any:
    module_name, _, attribute = config.handler.rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    return handler(event, FakeLambdaContext(function_name=config.name))


def make_invoker(
    deployment: Deployment,
    *,
    overrides: Callable[[], Mapping[str, str]] | None = None,
    setenv: SetEnv | None = None,
    after: Callable[[], None] | None = None,
) -> Invoke:
    """Invoke a template function's handler with the environment the template gives it, plus
    ``overrides()`` (e.g. a sandbox's URL). With ``setenv`` (``monkeypatch.setenv``) the variables
    stay set until the test ends; without it they are restored after the call, so one function never
    sees another's. ``after`` runs after every call."""

    def invoke(logical_id: str, event: dict[str, Any]) -> Any:
        config = deployment.functions[logical_id]
        environment = {
            **config.environment,
            **(overrides() if overrides else {}),
            "AWS_LAMBDA_FUNCTION_NAME": config.name,
        }
        saved = {name: os.environ.get(name) for name in environment}
        for name, value in environment.items():
            (setenv or os.environ.__setitem__)(name, str(value))
        soko_config.load.cache_clear()
        try:
            return call_handler(config, event)
        finally:
            if setenv is None:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
                soko_config.load.cache_clear()
            if after is not None:
                after()

    return invoke


@contextmanager
def aws_operations(record: Callable[[str], None]) -> Iterator[None]:
    """Every AWS API call (any client, any service) goes through ``BaseClient._make_api_call``:
    wrapped so that ``record`` gets each operation's name."""
    original = BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        record(operation_name)
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = recording  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
