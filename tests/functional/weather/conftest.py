"""Fixtures of the weather functional suite: template.yaml provisioned into moto once per module,
the weather table emptied before each test, and the Open-Meteo twin served over real HTTP (the
adapter reaches it by base URL, as in the local runtime)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import Invoke, deployed, make_invoker
from support.sandbox import SandboxServer
from support.tables import Table


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-weather") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def invoke(deployment: Deployment, sandbox: SandboxServer) -> Invoke:
    return make_invoker(deployment, overrides=lambda: {"WEATHER_BASE_URL": f"{sandbox.url}/_sandbox/weather"})


@pytest.fixture(scope="module")
def gateway(invoke: Invoke, app_model: AppModel) -> Api:
    return Api(invoke, app_model.http_apis[0].routes)


@pytest.fixture(scope="module")
def weather_table(deployment: Deployment) -> Table:
    return Table(deployment.physical["WeatherTable"])


@pytest.fixture(autouse=True)
def _fresh(weather_table: Table, sandbox: SandboxServer) -> None:
    with weather_table.table.batch_writer() as batch:
        for item in weather_table.items():
            batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    for control in ("_faults", "_forecast"):
        requests.delete(f"{sandbox.url}/_sandbox/weather/{control}", timeout=5).raise_for_status()
