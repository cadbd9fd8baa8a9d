"""Chat's dependencies (cheap per request): the chat table's data access, and the users, trades
and connections through their owners' public interfaces."""

from __future__ import annotations

from soko.chat.dal import ChatDal
from soko.chat.logic import Chat
from soko.chat.models import ChatConfig
from soko.identity.public import Users
from soko.market.public import MarketReads
from soko.realtime.public import connections
from soko.shared.config import load


def chat() -> Chat:
    config = load(ChatConfig)
    return Chat(
        config=config,
        dal=ChatDal(config.chat_table_name),
        users=Users(config.users_table_name),
        market=MarketReads(config.market_table_name),
        connections=connections(config),
    )
