"""Fixtures of the posts functional suite (helpers: ``posts_support.py``): template.yaml provisioned
into moto once per module, the posts table emptied before each test, every AWS call recorded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from posts_support import Gateway, PostsTable

from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.lambda_env import aws_operations, deployed, make_invoker


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-posts") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def gateway(deployment: Deployment, app_model: AppModel) -> Iterator[Gateway]:
    gateway = Gateway(make_invoker(deployment), app_model.http_apis[0].routes)
    with aws_operations(gateway.operations.append):
        yield gateway


@pytest.fixture(scope="module")
def posts_table(deployment: Deployment) -> PostsTable:
    return PostsTable(deployment.physical["PostsTable"])


@pytest.fixture(autouse=True)
def _empty_posts(posts_table: PostsTable) -> None:
    with posts_table.table.batch_writer() as batch:
        for item in posts_table.items():
            batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
