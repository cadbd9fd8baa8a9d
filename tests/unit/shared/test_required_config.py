"""Required settings: a function whose environment lacks one fails on first use, naming it (no
silent empty default)."""

from __future__ import annotations

import pytest

from soko.chat.models import ChatConfig, SendConfig
from soko.health.models import HealthConfig
from soko.identity.models import IdentityConfig
from soko.market.models import MarketConfig
from soko.matching.models import (
    BootstrapConfig,
    MarketSourceConfig,
    MatchTableConfig,
    PricesSourceConfig,
    UsersSourceConfig,
)
from soko.messaging.models import MessagingConfig
from soko.ml.models import ForecastRequestsConfig, MlConfig, SnapshotConfig, TrainingConfig
from soko.notifications.models import ChannelsConfig, NotificationsConfig
from soko.payments.models import MomoConfig, PaymentsConfig, PesapalConfig
from soko.posts.models import PostsConfig
from soko.providers.sms import SmsConfig
from soko.realtime.models import ConnectionsConfig, RealtimeConfig
from soko.shared.config import BaseConfig, BusConfig, ConfigError, IdempotencyTableConfig
from soko.shared.media import MediaConfig
from soko.ussd.models import UssdConfig

COMPLETE: dict[type[BaseConfig], dict[str, str]] = {
    BusConfig: {"EVENT_BUS_NAME": "soko"},
    IdempotencyTableConfig: {"IDEMPOTENCY_TABLE_NAME": "idem"},
    MediaConfig: {"MEDIA_BUCKET_NAME": "media"},
    HealthConfig: {"HEALTH_TABLE_NAMES": "a,b", "EVENT_BUS_NAME": "soko"},
    IdentityConfig: {"USERS_TABLE_NAME": "users"},
    SmsConfig: {"SMS_SECRET_ARN": "arn:sms", "SMS_SENDER_ID": ""},  # empty: the provider's default
    MarketConfig: {"MARKET_TABLE_NAME": "market"},
    MessagingConfig: {"MESSAGING_TABLE_NAME": "messaging"},
    ChannelsConfig: {"NOTIFICATIONS_TABLE_NAME": "notifications", "USERS_TABLE_NAME": "users"},
    NotificationsConfig: {"NOTIFICATIONS_TABLE_NAME": "notifications"},
    PostsConfig: {"POSTS_TABLE_NAME": "posts"},
    PaymentsConfig: {"PAYMENTS_TABLE_NAME": "payments", "MARKET_TABLE_NAME": "market"},
    PesapalConfig: {"PESAPAL_SECRET_ARN": "arn:p", "PESAPAL_IPN_URL": "", "PESAPAL_IPN_ID": ""},
    MomoConfig: {"MOMO_SECRET_ARN": "arn:m"},
    ConnectionsConfig: {"CONNECTIONS_TABLE_NAME": "connections"},
    RealtimeConfig: {"CONNECTIONS_TABLE_NAME": "connections", "WEBSOCKET_API_ID": "ws"},
    ChatConfig: {"CHAT_TABLE_NAME": "chat"},
    SendConfig: {
        "CONNECTIONS_TABLE_NAME": "connections",
        "WEBSOCKET_API_ID": "ws",
        "USERS_TABLE_NAME": "users",
        "MARKET_TABLE_NAME": "market",
    },
    UssdConfig: {
        "USERS_TABLE_NAME": "users",
        "ALERTS_TABLE_NAME": "alerts",
        "MARKET_TABLE_NAME": "market",
        "LOGISTICS_TABLE_NAME": "logistics",
        "ML_TABLE_NAME": "ml",
        "COOPS_TABLE_NAME": "coops",
        "URL_TOKEN_SECRET_ARN": "arn:ussd",
    },
    MatchTableConfig: {"MATCH_TABLE_NAME": "match"},
    UsersSourceConfig: {"USERS_TABLE_NAME": "users"},
    MarketSourceConfig: {"MARKET_TABLE_NAME": "market"},
    PricesSourceConfig: {"ML_TABLE_NAME": "ml"},
    BootstrapConfig: {"BOOTSTRAP_STATE_MACHINE_ARN": "arn:sfn"},
    MlConfig: {"ML_TABLE_NAME": "ml"},
    ForecastRequestsConfig: {"ML_TABLE_NAME": "ml", "EVENT_BUS_NAME": "soko"},
    SnapshotConfig: {"ML_TABLE_NAME": "ml", "MODELS_BUCKET_NAME": "models"},
    TrainingConfig: {"ML_TABLE_NAME": "ml", "MODELS_BUCKET_NAME": "models", "EVENT_BUS_NAME": "soko"},
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
        (RealtimeConfig, "WEBSOCKET_API_ID"),
        (SendConfig, "USERS_TABLE_NAME"),
        (UssdConfig, "URL_TOKEN_SECRET_ARN"),
        (MatchTableConfig, "MATCH_TABLE_NAME"),
        (BootstrapConfig, "BOOTSTRAP_STATE_MACHINE_ARN"),
        (TrainingConfig, "EVENT_BUS_NAME"),
        (SnapshotConfig, "MODELS_BUCKET_NAME"),
    ],
)
def test_an_empty_name_or_secret_is_refused(config: type[BaseConfig], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        config.from_env({**COMPLETE[config], variable: ""})
