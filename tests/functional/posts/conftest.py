"""Fixtures of the posts functional suite (helpers: ``posts_support.py``): template.yaml provisioned
into moto once per module, the posts table emptied before each test, every AWS call recorded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from moto import mock_aws
from posts_support import REGION, Gateway, PostsTable

from soko.shared import aws as soko_aws
from soko.shared import config as soko_config
from soko_local.provision import Deployment, provision
from soko_local.template import AppModel


def _reset() -> None:
    soko_aws.reset()
    soko_config.load.cache_clear()


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    _reset()
    with mock_aws():
        yield provision(
            app_model,
            lambda service: boto3.client(service, region_name=REGION),
            stack_name=f"soko-posts-{uuid.uuid4().hex[:6]}",
            parameters={"Stage": "local"},
        )
    _reset()


@pytest.fixture(scope="module")
def gateway(deployment: Deployment, app_model: AppModel) -> Iterator[Gateway]:
    gateway = Gateway(deployment, app_model.http_apis[0].routes)
    original = BaseClient._make_api_call

    def recording(self: Any, operation: str, params: dict[str, Any]) -> Any:
        gateway.operations.append(operation)
        return original(self, operation, params)

    BaseClient._make_api_call = recording  # type: ignore[method-assign]
    try:
        yield gateway
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def posts_table(deployment: Deployment) -> PostsTable:
    return PostsTable(deployment.physical["PostsTable"])


@pytest.fixture(autouse=True)
def _empty_posts(posts_table: PostsTable) -> None:
    with posts_table.table.batch_writer() as batch:
        for item in posts_table.items():
            batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
