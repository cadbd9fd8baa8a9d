"""Identity's dependencies. Cheap to build per request: the config is cached by ``load`` and the
AWS clients and secrets by their own modules, so nothing here holds per-process state."""

from __future__ import annotations

from soko.identity.dal import UsersDal
from soko.identity.logic import Identity
from soko.identity.models import IdentityConfig
from soko.providers.email import configured_sender as configured_email
from soko.providers.sms import configured_sender
from soko.shared import secrets
from soko.shared.auth import AuthConfig
from soko.shared.config import load


def _signing_secret() -> str:
    return secrets.get(load(AuthConfig).jwt_secret_arn)


def identity() -> Identity:
    config = load(IdentityConfig)
    return Identity(
        config=config,
        dal=UsersDal(config.users_table_name),
        signing_secret=_signing_secret,
        sms=configured_sender,
        email=configured_email,
    )
