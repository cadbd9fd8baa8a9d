"""Chat, realtime, USSD (with logistics' booking steps), matching and the price-serving functions:
every function gets from the template each setting the configurations it loads require (none has an
empty default any more)."""

from __future__ import annotations

import pytest

from soko.chat.models import ChatConfig, SendConfig
from soko.logistics.deps import LogisticsConfig
from soko.matching.models import (
    BootstrapConfig,
    MarketSourceConfig,
    MatchConfig,
    MatchTableConfig,
    PricesSourceConfig,
    UsersSourceConfig,
)
from soko.ml.freshness import FreshnessConfig
from soko.ml.models import MlConfig
from soko.realtime.models import ConnectionsConfig, RealtimeConfig
from soko.shared.config import BaseConfig, BusConfig, IdempotencyTableConfig
from soko.ussd.models import UssdConfig
from soko_local.provision import Deployment

LOADS: dict[str, list[type[BaseConfig]]] = {
    "MessageSendFunction": [ChatConfig, SendConfig, IdempotencyTableConfig],
    "WsSendMessageFunction": [ChatConfig, SendConfig],
    "ConversationsListFunction": [ChatConfig],
    "ConversationsGetFunction": [ChatConfig],
    "WsConnectFunction": [ConnectionsConfig],
    "WsDisconnectFunction": [ConnectionsConfig],
    "NotificationsConsumerFunction": [RealtimeConfig],
    "UssdFunction": [UssdConfig, FreshnessConfig, LogisticsConfig],  # + logistics' booking steps
    "MlPredictFunction": [MlConfig, FreshnessConfig],
    "PriceRequestsConsumerFunction": [MlConfig, FreshnessConfig],
    "FarmersForBuyerFunction": [MatchConfig, MatchTableConfig],
    "BuyersForFarmerFunction": [MatchConfig, MatchTableConfig],
    "LocationRouteFunction": [MatchConfig, PricesSourceConfig, FreshnessConfig, BusConfig],
    "LocationDiscoverFunction": [MatchConfig, MarketSourceConfig],
    "CoverageFunction": [MatchConfig, PricesSourceConfig, FreshnessConfig],
    "GapsSummaryFunction": [MatchConfig, PricesSourceConfig, FreshnessConfig],
    "MatchFeaturesConsumerFunction": [
        MatchConfig,
        MatchTableConfig,
        UsersSourceConfig,
        IdempotencyTableConfig,
    ],
    "BootstrapPageFunction": [MatchConfig, MatchTableConfig, UsersSourceConfig, MarketSourceConfig],
    "BootstrapResetFunction": [MatchConfig, MatchTableConfig],
    "BootstrapStartFunction": [BootstrapConfig],
    "BootstrapStatusFunction": [BootstrapConfig],
}


@pytest.mark.parametrize("function", list(LOADS))
def test_the_template_gives_every_required_setting(deployment: Deployment, function: str) -> None:
    environment = deployment.functions[function].environment
    for config in LOADS[function]:
        config.from_env(environment)  # a missing or empty one raises ConfigError, by name
