"""USSD over HTTP against the real application under the local runtime: the Function URL with its
token (as listed by /_local/endpoints), prices, registering and selling from a basic phone, and the
SMS a farmer without the app gets when a buyer orders from the app."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

PASSWORD = "Mango-Season-42x"
TIMEOUT = 30
PIN = "2468"


def _ussd_url(soko: Any, http: requests.Session) -> str:
    endpoints = http.get(f"{soko.url}/_local/endpoints", timeout=TIMEOUT).json()
    url = str(endpoints["function_urls"]["UssdFunction"])
    assert "?token=" in url and len(urlsplit(url).query) > len("token=") + 20
    return url


class Phone:
    def __init__(self, http: requests.Session, url: str, number: str):
        self.http, self.url, self.number = http, url, number

    def dial(self, *inputs: str) -> str:
        session = f"ATUid_{uuid.uuid4().hex}"
        text = ""
        for n in range(len(inputs) + 1):
            history = "*".join(inputs[:n])
            form = {"sessionId": session, "serviceCode": "*384*1#", "phoneNumber": self.number,
                    "networkCode": "99999", "text": history}  # fmt: skip
            reply = self.http.post(self.url, data=form, timeout=TIMEOUT)
            assert reply.status_code == 200, reply.text
            assert reply.headers["content-type"].startswith("text/plain")
            text = reply.text
            assert text.startswith(("CON ", "END ")) and len(text) <= 182 and text.isascii(), text
        return text


def test_the_function_url_needs_its_token(soko: Any, http: requests.Session) -> None:
    url = _ussd_url(soko, http)
    bare = url.split("?", 1)[0]
    form = {"sessionId": "s", "phoneNumber": "+256772100000", "text": ""}
    assert http.post(bare, data=form, timeout=TIMEOUT).status_code == 403
    assert http.post(bare + "?token=wrong", data=form, timeout=TIMEOUT).status_code == 403


def test_prices_register_sell_and_an_sms_after_an_order(soko: Any, http: requests.Session) -> None:
    url = _ussd_url(soko, http)
    outputs = soko.endpoints["outputs"]
    dynamodb = soko.client("dynamodb")
    day = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    dynamodb.put_item(
        TableName=outputs["MlTableName"],
        Item={
            "pk": {"S": "OBS#Kisenyi_Kampala#maize_grain"},
            "sk": {"S": f"{day}#wfp#retail"},
            "date": {"S": day},
            "price": {"N": "1000"},
            "source": {"S": "wfp"},
            "pricetype": {"S": "retail"},
            "status": {"S": "accepted"},
        },
    )
    number = f"+2567721{uuid.uuid4().int % 100000:05d}"
    phone = Phone(http, url, number)
    forecast = phone.dial("1", "1", "1")
    assert forecast.startswith("END Maize in Kampala, UGX/kg:") and len(forecast.split("\n")) == 7
    assert forecast.split("\n")[1].startswith("Prices of ")  # the newest price's date and age

    assert phone.dial("5", "Akello Grace", "Gulu", PIN, PIN).startswith("END Welcome to Soko, Akello Grace!")
    listed = phone.dial("3", "1", "300", "1200", PIN)
    assert listed == "END Listed: 300kg Maize at UGX 1,200/kg. Buyers can order it now."

    farmer_id = dynamodb.get_item(
        TableName=outputs["UsersTableName"], Key={"pk": {"S": f"PHONE#{number}"}, "sk": {"S": "PHONE"}}
    )["Item"]["user_id"]["S"]
    listings = http.get(f"{soko.url}/listings/", params={"farmer_id": farmer_id}, timeout=TIMEOUT).json()
    assert [x["quantity_kg"] for x in listings["items"]] in (["300.000"], [300], ["300"], [300.0])

    email = f"ussd-buyer-{uuid.uuid4().hex[:10]}@example.com"
    created = http.post(
        f"{soko.url}/auth/register",
        json={"email": email, "password": PASSWORD, "role": "buyer"},
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    token = http.post(f"{soko.url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=TIMEOUT)
    headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Idempotency-Key": uuid.uuid4().hex}
    order = http.post(
        f"{soko.url}/orders/",
        json={"listing_id": listings["items"][0]["id"], "quantity_kg": 25},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert order.status_code == 201, order.text

    deadline = time.monotonic() + 60
    messages: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not messages:
        messages = http.get(f"{soko.url}/_sandbox/sms/outbox", params={"to": number}, timeout=TIMEOUT).json()[
            "messages"
        ]
        time.sleep(0.5)
    assert [m["message"] for m in messages] == [
        "Soko: new order for 25kg Maize (grain) (UGX 30,000). Dial the Soko USSD code and choose "
        "2 My orders to accept or reject it."
    ]
    # the farmer answers from the phone
    assert phone.dial("2", "1", "1", PIN) == "END Order accepted. The buyer gets an SMS."
