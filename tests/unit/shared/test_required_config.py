"""Required settings: a function whose environment lacks one fails on first use, naming it (no
silent empty default)."""

from __future__ import annotations

import pytest

from soko.health.models import HealthConfig
from soko.identity.models import IdentityConfig
from soko.market.models import MarketConfig
from soko.messaging.models import AlertsConfig, MessagingConfig
from soko.notifications.models import NotificationsConfig
from soko.payments.models import MomoConfig, PaymentsConfig, PesapalConfig
from soko.posts.models import PostsConfig
from soko.providers.sms import SmsConfig
from soko.shared.config import BaseConfig, BusConfig, ConfigError, IdempotencyTableConfig
from soko.shared.media import MediaConfig

COMPLETE: dict[type[BaseConfig], dict[str, str]] = {
    BusConfig: {"EVENT_BUS_NAME": "soko"},
    IdempotencyTableConfig: {"IDEMPOTENCY_TABLE_NAME": "idem"},
    MediaConfig: {"MEDIA_BUCKET_NAME": "media"},
    HealthConfig: {"HEALTH_TABLE_NAMES": "a,b", "EVENT_BUS_NAME": "soko"},
    IdentityConfig: {"USERS_TABLE_NAME": "users"},
    SmsConfig: {"SMS_SECRET_ARN": "arn:sms", "SMS_SENDER_ID": ""},  # empty: the provider's default
    MarketConfig: {"MARKET_TABLE_NAME": "market"},
    MessagingConfig: {"MESSAGING_TABLE_NAME": "messaging"},
    AlertsConfig: {"MESSAGING_TABLE_NAME": "messaging", "USERS_TABLE_NAME": "users"},
    NotificationsConfig: {"NOTIFICATIONS_TABLE_NAME": "notifications"},
    PostsConfig: {"POSTS_TABLE_NAME": "posts"},
    PaymentsConfig: {"PAYMENTS_TABLE_NAME": "payments", "MARKET_TABLE_NAME": "market"},
    PesapalConfig: {"PESAPAL_SECRET_ARN": "arn:p", "PESAPAL_IPN_URL": "", "PESAPAL_IPN_ID": ""},
    MomoConfig: {"MOMO_SECRET_ARN": "arn:m"},
}
CASES = [(config, name) for config, environ in COMPLETE.items() for name in environ]


@pytest.mark.parametrize("config", list(COMPLETE), ids=lambda c: c.__name__)
def test_a_complete_environment_loads(config: type[BaseConfig]) -> None:
    config.from_env(COMPLETE[config])


@pytest.mark.parametrize(("config", "variable"), CASES, ids=lambda v: getattr(v, "__name__", v))
def test_a_missing_variable_fails_by_name(config: type[BaseConfig], variable: str) -> None:
    environ = {k: v for k, v in COMPLETE[config].items() if k != variable}
    with pytest.raises(ConfigError, match=variable):
        config.from_env(environ)


@pytest.mark.parametrize(
    ("config", "variable"),
    [
        (BusConfig, "EVENT_BUS_NAME"),
        (MarketConfig, "MARKET_TABLE_NAME"),
        (SmsConfig, "SMS_SECRET_ARN"),
        (PesapalConfig, "PESAPAL_SECRET_ARN"),
    ],
)
def test_an_empty_name_or_secret_is_refused(config: type[BaseConfig], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        config.from_env({**COMPLETE[config], variable: ""})
