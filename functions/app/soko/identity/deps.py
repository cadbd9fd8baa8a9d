"""Identity's dependencies. Cheap to build per request: the config is cached by ``load`` and the
AWS clients and secrets by their own modules, so nothing here holds per-process state."""

from __future__ import annotations

from soko.identity.dal import UsersDal
from soko.identity.logic import Identity
from soko.identity.models import IdentityConfig
from soko.providers.africastalking import AfricasTalkingSms, Credentials
from soko.shared import secrets
from soko.shared.config import load


def _sms(config: IdentityConfig) -> AfricasTalkingSms:
    credentials = Credentials.from_secret(secrets.get(config.sms_secret_arn))
    return AfricasTalkingSms(config.africastalking_base_url, credentials, sender_id=config.sms_sender_id)


def identity() -> Identity:
    config = load(IdentityConfig)
    return Identity(
        config=config,
        dal=UsersDal(config.users_table_name),
        signing_secret=lambda: secrets.get(config.jwt_secret_arn),
        sms=lambda: _sms(config),
    )
