"""Chat rules (no boto3 here): who may write to whom, masking until a trade is confirmed, the
per-minute limit, live delivery and the ``buyer_inquiry`` interaction.

Masking is decided when a message is sent and stays with it: a message is shown as it was
delivered. Until the two users have an order the farmer confirmed (either one the buyer), phone
numbers and emails in the text are masked; the text as typed is kept for moderation and shown to
admins only.

A buyer's first message to a farmer carries the ``BuyerInquired`` event into the message's own
transaction (the chat table's outbox; soko.chat.dal): the signal is recorded exactly when the
message is, and published by the outbox relay, never lost to a failed publish.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from soko.chat.events import BuyerInquired
from soko.chat.masking import mask
from soko.chat.models import ChatConfig, Conversation, ConversationPage, Message, MessagePage, MessageSend
from soko.chat.ports import ChatStore, People, Trades
from soko.realtime.public import Connections, push
from soko.shared import clock, ids
from soko.shared.errors import NotFound, Unprocessable
from soko.shared.identity import Caller


class ConversationNotFound(NotFound):
    code = "CONVERSATION_NOT_FOUND"


class RecipientNotFound(NotFound):
    code = "USER_NOT_FOUND"


class ListingNotFound(NotFound):
    code = "LISTING_NOT_FOUND"


@dataclass
class Conversations:
    """What reading conversations needs: the chat store (:mod:`soko.chat.ports`)."""

    dal: ChatStore


@dataclass
class Chat(Conversations):
    """What sending a message needs, as ports (:mod:`soko.chat.ports`)."""

    config: ChatConfig
    users: People
    market: Trades
    connections: Connections


def conversation_id(user_a: str, user_b: str) -> str:
    """One conversation per pair of users, whoever wrote first."""
    low, high = sorted((user_a, user_b))
    return hashlib.sha256(f"{low}|{high}".encode()).hexdigest()[:32]


def _view(item: dict[str, Any], admin: bool) -> Message:
    message = Message.model_validate({k: v for k, v in item.items() if k != "original_text"})
    if admin:
        message.original_text = str(item.get("original_text") or item["text"])
    elif message.listing_id and not ids.is_ulid(message.listing_id):
        # stored before listing ids were checked (free text then): masked like the text
        message.listing_id = mask(message.listing_id)
    return message


def _is_farmer(role: str) -> bool:
    return role in ("farmer", "both")


def _is_buyer(role: str) -> bool:
    return role in ("buyer", "both")


def _check_listing(listing_id: str | None, members: tuple[str, str], deps: Chat) -> None:
    """A message's ``listing_id`` names a real listing of one of the two (it is shown to the
    recipient unmasked, and the first inquiry carries it to matching: free text there would pass
    contact details and fake signals)."""
    if listing_id is None:
        return
    farmer = deps.market.listing_farmer(listing_id)
    if farmer is None:
        raise ListingNotFound("No listing has this id.", details={"field": "listing_id"})
    if farmer not in members:
        raise Unprocessable(
            "A message can only be about a listing of yours or of the person you write to.",
            details={"field": "listing_id"},
            code="LISTING_NOT_IN_CONVERSATION",
        )


def send_message(caller: Caller, request: MessageSend, deps: Chat) -> Message:
    if request.to_user_id == caller.user_id:
        raise Unprocessable("You cannot write to yourself.", details={"field": "to_user_id"})
    recipient = deps.users.get(request.to_user_id)
    if recipient is None:
        raise RecipientNotFound("No such user.", details={"to_user_id": request.to_user_id})
    _check_listing(request.listing_id, (caller.user_id, recipient.id), deps)
    now = clock.now()
    deps.dal.count_message(
        caller.user_id,
        now.strftime("%Y%m%d%H%M"),
        deps.config.messages_per_minute,
        int(now.timestamp()),
        retry_after=60 - now.second,
    )
    traded = deps.market.trade_confirmed(caller.user_id, recipient.id)
    text = request.text if traded else mask(request.text)
    item: dict[str, Any] = {
        "id": ids.ulid(),
        "conversation_id": conversation_id(caller.user_id, recipient.id),
        "sender_id": caller.user_id,
        "recipient_id": recipient.id,
        "text": text,
        "masked": text != request.text,
        "listing_id": request.listing_id,
        "created_at": clock.iso(now),
    }
    if item["masked"]:
        item["original_text"] = request.text
    inquiry = (
        BuyerInquired(
            buyer_id=caller.user_id,
            farmer_id=recipient.id,
            listing_id=request.listing_id,
            conversation_id=item["conversation_id"],
        )
        if _is_buyer(caller.role)
        and _is_farmer(recipient.role)
        and not deps.dal.has_inquired(caller.user_id, recipient.id)
        else None
    )
    deps.dal.put_message(
        {k: v for k, v in item.items() if v is not None}, (caller.user_id, recipient.id), inquiry
    )
    message = _view(item, admin=False)
    push(
        recipient.id,
        {"type": "message", "message": message.model_dump(mode="json", exclude_none=True)},
        deps.connections,
    )
    return message


def list_conversations(
    caller: Caller, limit: int, cursor: str | None, deps: Conversations
) -> ConversationPage:
    page = deps.dal.conversations(caller.user_id, limit, cursor)
    return ConversationPage(
        items=[
            Conversation(
                id=str(item["conversation_id"]),
                other_user_id=str(item["other_user_id"]),
                last_message_at=str(item["last_message_at"]),
                last_text=str(item["last_text"]),
                last_sender_id=str(item["last_sender_id"]),
            )
            for item in page.items
        ],
        next_cursor=page.next_cursor,
    )


def get_conversation(
    caller: Caller, conversation: str, limit: int, cursor: str | None, deps: Conversations
) -> MessagePage:
    """A conversation's messages, newest first: its two members (and admins) only; to anyone else
    it does not exist."""
    members = deps.dal.members(conversation)
    if members is None or not (caller.is_admin or caller.user_id in members):
        raise ConversationNotFound("No such conversation.", details={"id": conversation})
    page = deps.dal.messages(conversation, limit, cursor)
    return MessagePage(
        items=[_view(item, caller.is_admin) for item in page.items], next_cursor=page.next_cursor
    )
