"""Incoming SMS (Africa's Talking's callback): run the keyword, reply by SMS.

The reply goes straight back by SMS through the shared Africa's Talking sender
(``soko.providers.sms``), not as a notice: it answers a message the person just sent from that
phone, so it belongs on that phone now, whatever the account's channel preferences or quiet hours
(a notice is something Soko decides to tell someone; the notifications domain routes those). Each
message id is handled once (a claim with a TTL), so a repeated callback neither subscribes twice nor
replies twice. The sender is the account whose verified phone it is (through
``soko.identity.public``), or else a phone-only subscriber with the language they wrote in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from soko.alerts import keywords, logic, texts
from soko.alerts.dal import TooManyAlerts
from soko.alerts.logic import Alerts
from soko.alerts.models import MAX_SUBSCRIPTIONS, AlertCreate, InboundAnswer, InboundSms
from soko.shared.notices import Texts
from soko.shared.observability import logger

SMS_ID_SECONDS = 7 * 24 * 3600
DEFAULT_MOVE_PCT = 10


class Accounts(Protocol):
    def by_phone(self, phone: str) -> Any: ...  # UserView | None


class Sender(Protocol):
    def send_one(self, to: str, message: str) -> str: ...


@dataclass
class Inbound:
    alerts: Alerts
    accounts: Accounts
    sender: Any  # () -> Sender: built only when a reply is sent


def _rules(command: keywords.Subscribe) -> tuple[str, str, dict[str, Any]]:
    if command.above:
        return (
            f"at or above UGX {texts.ugx(command.above)}",
            f"waggulu wa UGX {texts.ugx(command.above)}",
            {"above_ugx": command.above},
        )
    if command.below:
        return (
            f"at or below UGX {texts.ugx(command.below)}",
            f"wansi wa UGX {texts.ugx(command.below)}",
            {"below_ugx": command.below},
        )
    return (
        f"weekly, and moves over {DEFAULT_MOVE_PCT}%",
        f"buli wiiki, n'enkyukakyuka esukka {DEFAULT_MOVE_PCT}%",
        {"digest": True, "forecast_move_pct": DEFAULT_MOVE_PCT},
    )


def _run(message: InboundSms, deps: Inbound) -> tuple[str, Texts, str]:
    """The action, the reply's texts and the reply's language."""
    command = keywords.parse(message.text)
    account = deps.accounts.by_phone(message.from_)
    if account is not None:
        owner, recipient = logic.user_owner(account.id), {"user_id": account.id}
    else:
        owner, recipient = logic.phone_owner(message.from_), {"phone": message.from_}
    if isinstance(command, keywords.Help):
        return "help", texts.HELP, command.language
    if isinstance(command, keywords.Stop):
        ended = logic.stop(owner, command.crop, deps.alerts)
        return "stopped", texts.stopped(ended, command.crop), command.language
    mine = logic.owned(owner, deps.alerts)
    if any(s.crop == command.crop and s.market == command.market for s in mine):
        return "subscribed", texts.already(command.crop, command.market), command.language
    rule_en, rule_lg, rules = _rules(command)
    request = AlertCreate(crop=command.crop, market=command.market, **rules)
    try:
        logic.subscribe(
            owner,
            request,
            deps.alerts,
            language=command.language if account is None else None,
            channel="sms",
            **recipient,
        )
    except TooManyAlerts:
        return "help", texts.too_many(MAX_SUBSCRIPTIONS), command.language
    return "subscribed", texts.subscribed(command.crop, command.market, rule_en, rule_lg), command.language


def handle(message: InboundSms, deps: Inbound) -> InboundAnswer:
    if not deps.alerts.store.claim(f"SMSIN#{message.id}", SMS_ID_SECONDS):
        return InboundAnswer(action="repeat", reply_sent=False)
    action, reply, language = _run(message, deps)
    try:
        deps.sender().send_one(message.from_, reply.pick(language))
    except Exception as err:  # the action stands; the sender may text again for a reply
        logger.warning("inbound SMS reply not sent", extra={"error": type(err).__name__, "action": action})
        return InboundAnswer(action=action, reply_sent=False)
    return InboundAnswer(action=action, reply_sent=True)
