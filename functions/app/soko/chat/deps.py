"""Chat's dependencies (cheap per request): the chat table's data access, and for sending the users,
trades and connections through their owners' public interfaces."""

from __future__ import annotations

from soko.chat.dal import ChatDal
from soko.chat.logic import Chat, Conversations
from soko.chat.models import ChatConfig, SendConfig
from soko.identity.public import Users
from soko.market.public import MarketReads
from soko.realtime.public import connections
from soko.shared.config import load


def conversations() -> Conversations:
    return Conversations(dal=ChatDal(load(ChatConfig).chat_table_name))


def chat() -> Chat:
    config, send = load(ChatConfig), load(SendConfig)
    return Chat(
        config=config,
        dal=ChatDal(config.chat_table_name),
        users=Users(send.users_table_name),
        market=MarketReads(send.market_table_name),
        connections=connections(send),
    )
