"""Chat models: configuration, requests and answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StringConstraints

from soko.realtime.public import RealtimeConfig
from soko.shared.config import BaseConfig

MAX_TEXT = 2000
UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class ChatConfig(BaseConfig):
    """Every chat function: the chat table."""

    chat_table_name: str = Field(min_length=1)
    messages_per_minute: int = 30


class SendConfig(RealtimeConfig):
    """Sending a message also reads the accounts and the trades, and pushes to the recipient."""

    users_table_name: str = Field(min_length=1)
    market_table_name: str = Field(min_length=1)


class MessageSend(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    to_user_id: Annotated[UserId, Field(validation_alias=AliasChoices("to_user_id", "toUserId"))]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
    listing_id: Annotated[
        str | None,
        Field(
            default=None,
            min_length=1,
            max_length=64,
            pattern=r"^[0-9A-Za-z_-]+$",
            validation_alias=AliasChoices("listing_id", "listingId"),
            description="the listing the message is about: a listing of the sender or the recipient "
            "(a listing id that names no listing is a 404)",
        ),
    ] = None


class Message(BaseModel):
    id: str
    conversation_id: str
    sender_id: str
    recipient_id: str
    text: str = Field(description="As delivered: contact details masked until the two have a confirmed order")
    masked: bool = Field(description="true when something in the text was masked")
    listing_id: str | None = None
    created_at: str
    original_text: str | None = Field(
        default=None, description="The text as typed (admins only, for moderation; otherwise absent)"
    )


class MessagePage(BaseModel):
    items: list[Message]
    next_cursor: str | None


class Conversation(BaseModel):
    id: str
    other_user_id: str
    last_message_at: str
    last_text: str
    last_sender_id: str


class ConversationPage(BaseModel):
    items: list[Conversation]
    next_cursor: str | None
