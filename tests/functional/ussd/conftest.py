"""Fixtures of the USSD functional suite: a handset that talks to UssdFunction in-process exactly
as Africa's Talking's gateway does (form POST to the Function URL, with the secret token), against
moto resources provisioned from template.yaml."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from soko_local.provision import Deployment

REGION = "us-east-1"
FUNCTION = "UssdFunction"


def url_event(form: dict[str, str] | str, token: str | None, *, base64_body: bool = False) -> dict[str, Any]:
    body = form if isinstance(form, str) else urlencode(form)
    query = {"token": token} if token is not None else None
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": urlencode(query or {}),
        "queryStringParameters": query,
        "headers": {"content-type": "application/x-www-form-urlencoded"},
        "requestContext": {"http": {"method": "POST", "path": "/", "sourceIp": "127.0.0.1"}},
        "body": base64.b64encode(body.encode()).decode() if base64_body else body,
        "isBase64Encoded": base64_body,
    }


@dataclass
class Screen:
    status: int
    text: str

    @property
    def ended(self) -> bool:
        return self.text.startswith("END ")

    def check(self) -> Screen:
        """What every screen must be: 200, CON/END, at most 182 plain ASCII characters."""
        assert self.status == 200, self.text
        assert self.text.startswith(("CON ", "END ")), self.text
        assert len(self.text) <= 182, (len(self.text), self.text)
        assert self.text.isascii(), self.text
        return self


@dataclass
class Handset:
    invoke: Callable[[str, dict[str, Any]], Any]
    token: str
    phone: str
    session: str = field(default_factory=lambda: f"ATUid_{uuid.uuid4().hex}")
    screens: list[Screen] = field(default_factory=list)

    def send(self, text: str, **overrides: str) -> Screen:
        form = {
            "sessionId": self.session,
            "serviceCode": "*384*1234#",
            "phoneNumber": self.phone,
            "networkCode": "99999",
            "text": text,
            **overrides,
        }
        result = self.invoke(FUNCTION, url_event(form, self.token))
        screen = Screen(result["statusCode"], result["body"])
        self.screens.append(screen)
        return screen.check()

    def dial(self, *inputs: str) -> Screen:
        """A new session: the first request (empty text), then each input appended with '*'."""
        self.session = f"ATUid_{uuid.uuid4().hex}"
        screen = self.send("")
        for n in range(1, len(inputs) + 1):
            assert not screen.ended, (inputs[:n], screen.text)
            screen = self.send("*".join(inputs[:n]))
        return screen


@pytest.fixture
def token(deployment: Deployment) -> str:
    arn = deployment.functions[FUNCTION].environment["URL_TOKEN_SECRET_ARN"]
    secret: str = boto3.client("secretsmanager", region_name=REGION).get_secret_value(SecretId=arn)[
        "SecretString"
    ]
    return secret


@pytest.fixture
def handset(invoke: Callable[[str, dict[str, Any]], Any], token: str) -> Callable[[str], Handset]:
    return lambda phone: Handset(invoke, token, phone)


@pytest.fixture
def seed_prices(deployment: Deployment) -> Callable[[str, str, int], None]:
    """A recent accepted observation for a (market, crop): the forecast falls back to the seasonal
    heuristic from it (no trained model needed)."""

    def seed(market: str, crop: str, price: int) -> None:
        table = boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["MlTable"])
        day = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
        table.put_item(
            Item={
                "pk": f"OBS#{market}#{crop}",
                "sk": f"{day}#wfp#retail",
                "date": day,
                "price": Decimal(price),
                "source": "wfp",
                "pricetype": "retail",
                "status": "accepted",
            }
        )

    return seed


@pytest.fixture
def users_table(deployment: Deployment) -> Any:
    return boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["UsersTable"])
