"""Chat's dependencies (cheap per request)."""

from __future__ import annotations

from soko.chat.dal import ChatDal
from soko.chat.logic import Chat
from soko.chat.models import ChatConfig
from soko.identity.dal import UsersDal
from soko.market.dal import MarketDal
from soko.realtime.dal import ConnectionsDal
from soko.shared.config import load


def chat() -> Chat:
    config = load(ChatConfig)
    return Chat(
        config=config,
        dal=ChatDal(config.chat_table_name),
        users=UsersDal(config.users_table_name),
        market=MarketDal(config.market_table_name),
        connections=ConnectionsDal(config.connections_table_name, config.management_url),
    )
