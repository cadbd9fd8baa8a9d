"""Fixtures of the notifications functional suite (helpers: ``notifications_support.py``):
template.yaml provisioned into moto once per module, the notifications table emptied before each
test, the HTTP API in-process, and pushes to WebSocket connections recorded instead of sent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from notifications_support import Notifications, Pushes

from soko.realtime.dal import ConnectionsDal
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import Api
from support.lambda_env import deployed, make_invoker
from support.tables import empty_table


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-notif") as deployment:
        yield deployment


@pytest.fixture
def notifications(
    deployment: Deployment, app_model: AppModel, monkeypatch: pytest.MonkeyPatch
) -> Notifications:
    empty_table(deployment.physical["NotificationsTable"])
    pushes = Pushes()
    monkeypatch.setattr(ConnectionsDal, "post", pushes.post)  # a bound method: no self
    return Notifications(Api(make_invoker(deployment), app_model.http_apis[0].routes), pushes)
