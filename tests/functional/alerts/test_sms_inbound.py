"""POST /sms/inbound (Africa's Talking's incoming SMS): keywords in English and Luganda subscribe the
sender (their account if the phone is an account's verified phone, else a phone-only subscription in
the language they wrote), STOP ends them, anything else gets help; each message id once; never a 5xx;
the reply is one SMS (160 characters) back to the sender. Then a price crossing the threshold fires
one notice to the phone-only subscriber, in Luganda."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from alerts_support import Captured, Gateway

from soko.identity.public import Users, UserView
from support.events import eventbridge_event, sqs_event
from support.lambda_env import Invoke
from support.tables import Table

FORM = "application/x-www-form-urlencoded"
PHONE = "+256772123456"
ACCOUNT_PHONE = "+256701000001"
counter = iter(range(10**6))


def sms(
    gateway: Gateway, text: str, *, sender: str = PHONE, message_id: str | None = None, **extra: str
) -> Any:
    form = {
        "from": sender,
        "to": "6001",
        "text": text,
        "date": "2026-11-21 09:30:00",
        "id": message_id or f"ATXid_{next(counter)}",
        "linkId": "L1",
        **extra,
    }
    return gateway.post("/sms/inbound", raw_body=urlencode(form), content_type=FORM)


@pytest.fixture(autouse=True)
def _accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    account = UserView(id="01JD0000000000000000000077", role="farmer", phone=ACCOUNT_PHONE, language="lg")
    monkeypatch.setattr(Users, "by_phone", lambda self, phone: account if phone == ACCOUNT_PHONE else None)


def test_a_phone_subscribes_in_luganda_and_a_crossing_price_texts_it(
    gateway: Gateway, invoker: Invoke, captured: Captured, alerts_table: Table
) -> None:
    reply = sms(gateway, "bbeeyi kasooli lira wansi 900").expect(200).json
    assert reply == {"action": "subscribed", "reply_sent": True}
    [(to, text)] = captured.sms
    assert to == PHONE and "Kasooli" in text and "okukomya" in text and len(text) <= 160
    [sub] = [i for i in alerts_table.with_prefix(f"OWNER#PHONE#{PHONE}") if i["sk"].startswith("SUB#")]
    assert (
        sub["language"] == "lg"
        and sub["below_ugx"] == 900
        and sub["channel"] == "sms"
        and "user_id" not in sub
    )
    detail = {
        "market": "Lira",
        "crop": "maize_grain",
        "source": "wfp",
        "price_ugx": 850,
        "day": __import__("soko.alerts.logic", fromlist=["today"]).today().isoformat(),
    }
    invoker("AlertsFiringFunction", sqs_event(eventbridge_event("soko.ml", "PricesObserved", detail)))
    [notice] = captured.of("PriceAlertTriggered")
    assert notice.phone == PHONE and notice.language == "lg" and notice.user_id is None
    assert len(notice.sms.lg) <= 160 and "850" in notice.sms.lg


def test_an_accounts_phone_subscribes_the_account(
    gateway: Gateway, captured: Captured, alerts_table: Table
) -> None:
    sms(gateway, "PRICE MAIZE LIRA", sender=ACCOUNT_PHONE).expect(200)
    [sub] = [
        i
        for i in alerts_table.with_prefix("OWNER#USER#01JD0000000000000000000077")
        if i["sk"].startswith("SUB#")
    ]
    assert (
        sub["user_id"] == "01JD0000000000000000000077"
        and sub["digest"] is True
        and sub["forecast_move_pct"] == 10
    )
    assert "language" not in sub  # the account's own language wins
    assert "you get Maize prices for Lira" in captured.sms[0][1]


def test_the_same_message_id_is_handled_once(
    gateway: Gateway, captured: Captured, alerts_table: Table
) -> None:
    sms(gateway, "PRICE MAIZE LIRA", message_id="ATXid_same").expect(200)
    assert sms(gateway, "PRICE MAIZE LIRA", message_id="ATXid_same").expect(200).json["action"] == "repeat"
    assert len(captured.sms) == 1
    assert (
        len([i for i in alerts_table.with_prefix(f"OWNER#PHONE#{PHONE}") if i["sk"].startswith("SUB#")]) == 1
    )
    # the same request in a new message: already subscribed, nothing new
    sms(gateway, "PRICE MAIZE LIRA").expect(200)
    assert "already" in captured.sms[-1][1]


def test_stop_ends_one_crop_or_all(gateway: Gateway, captured: Captured, alerts_table: Table) -> None:
    sms(gateway, "PRICE MAIZE LIRA").expect(200)
    sms(gateway, "PRICE BEANS GULU ABOVE 5000").expect(200)
    assert sms(gateway, "STOP MAIZE").expect(200).json["action"] == "stopped"
    subs = [i for i in alerts_table.with_prefix(f"OWNER#PHONE#{PHONE}") if i["sk"].startswith("SUB#")]
    assert [s["crop"] for s in subs] == ["yellow_beans"]
    sms(gateway, "komya").expect(200)
    assert "bbeeyi zonna" in captured.sms[-1][1]
    assert not [i for i in alerts_table.with_prefix(f"OWNER#PHONE#{PHONE}") if i["sk"].startswith("SUB#")]


@pytest.mark.parametrize(
    "text", ["hello", "", "PRICE GRANITE ATLANTIS", "PRICE MAIZE LIRA ABOVE 0", "x" * 400]
)
def test_anything_else_gets_help(gateway: Gateway, captured: Captured, text: str) -> None:
    assert sms(gateway, text).expect(200).json["action"] == "help"
    assert "PRICE MAIZE LIRA" in captured.sms[-1][1] and len(captured.sms[-1][1]) <= 160


def test_a_failed_reply_still_answers_200(
    gateway: Gateway, captured: Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(to: str, message: str) -> str:
        raise RuntimeError("provider down")

    monkeypatch.setattr(captured, "send_one", down)
    assert sms(gateway, "PRICE MAIZE LIRA").expect(200).json == {"action": "subscribed", "reply_sent": False}


def test_bad_forms_are_4xx_never_5xx(gateway: Gateway, captured: Captured) -> None:
    sms(gateway, "PRICE MAIZE LIRA", sender="0772123456").expect(422)
    sms(gateway, "PRICE MAIZE LIRA", message_id="bad id!").expect(422)
    gateway.post("/sms/inbound", raw_body="&".join(f"f{i}=1" for i in range(30)), content_type=FORM).expect(
        400
    )
    gateway.post("/sms/inbound", {"from": PHONE}).expect(415)
    gateway.post("/sms/inbound", raw_body="x=" + "a" * 5000, content_type=FORM).expect(413)
    assert captured.sms == []
