"""Main menu 7, price alerts, through UssdFunction in-process: a phone without an account adds an alert
(crop, market, above/below a price, or weekly prices) as a phone-only subscriber in the menu's
language, a registered farmer's alerts are their account's; the list shows them; one is stopped;
every screen fits 182 characters in English and Luganda; a retried request changes nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from conftest import Handset
from test_ussd import PIN, register

from soko.ussd.texts import MAX_SCREEN
from soko_local.provision import Deployment
from support.lambda_env import REGION

MakeHandset = Callable[[str], Handset]
PHONE = "+256772555001"


def alerts_of(deployment: Deployment, owner: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["AlertsTable"])
    items = table.query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": f"OWNER#{owner}"})[
        "Items"
    ]
    return [i for i in items if str(i["sk"]).startswith("SUB#")]


def test_a_phone_adds_lists_and_stops_alerts(handset: MakeHandset, deployment: Deployment) -> None:
    h = handset(PHONE)
    first = h.dial("7")
    assert "7 Price alerts" in h.screens[0].text and "1 Add an alert" in first.text
    done = h.dial("7", "1", "1", "5", "2", "900")  # maize, Lira, below 900
    assert done.ended and "Maize in Lira" in done.text, done.text
    weekly = h.dial("7", "1", "2", "2", "3")  # beans, Gulu, weekly
    assert weekly.ended
    [maize, beans] = sorted(alerts_of(deployment, f"PHONE#{PHONE}"), key=lambda i: i["crop"])
    assert (maize["market"], int(maize["below_ugx"]), maize["language"]) == ("Lira", 900, "en")
    assert beans["digest"] is True and beans["crop"] == "yellow_beans"
    listed = h.dial("7")
    assert "Maize Lira below 900" in listed.text and "Beans Gulu weekly" in listed.text, listed.text
    picked = h.dial("7", "3")  # the older one (newest first): maize
    assert "1 Stop this alert" in picked.text
    stopped = h.dial("7", "3", "1")
    assert stopped.ended and "Alert stopped" in stopped.text
    assert [i["crop"] for i in alerts_of(deployment, f"PHONE#{PHONE}")] == ["yellow_beans"]
    h.send("7*3*1")  # the gateway repeats the last request: the same screen, nothing more
    assert h.screens[-1].text == stopped.text


def test_in_luganda_every_alert_screen_fits(handset: MakeHandset, deployment: Deployment) -> None:
    h = handset("+256772555002")
    h.dial("6", "2")
    for path in (
        ("7",),
        ("7", "1"),
        ("7", "1", "8"),
        ("7", "1", "8", "6"),
        ("7", "1", "8", "6", "1"),
        ("7", "1", "8", "6", "1", "9999999"),
    ):
        screen = h.dial(*path)
        assert len(screen.text) <= MAX_SCREEN, screen.text
    assert "7 Bbeeyi ku SMS" in h.dial().text
    [alert] = alerts_of(deployment, "PHONE#+256772555002")
    assert alert["language"] == "lg" and int(alert["above_ugx"]) == 9_999_999
    listed = h.dial("7")
    assert "waggulu wa 9,999,999" in listed.text and len(listed.text) <= MAX_SCREEN


def test_a_registered_farmers_alerts_are_their_accounts(
    handset: MakeHandset, deployment: Deployment, users_table: Any
) -> None:
    h = register(handset, "+256772555003")
    assert PIN
    h.dial("7", "1", "1", "1", "1", "2000")
    user_id = users_table.get_item(Key={"pk": "PHONE#+256772555003", "sk": "PHONE"})["Item"]["user_id"]
    [alert] = alerts_of(deployment, f"USER#{user_id}")
    assert alert["user_id"] == user_id and "language" not in alert and int(alert["above_ugx"]) == 2000


def test_junk_in_the_alert_menu_keeps_the_screen(handset: MakeHandset) -> None:
    h = handset("+256772555004")
    assert "Invalid choice" in h.dial("7", "9").text
    assert "Enter a whole number" in h.dial("7", "1", "1", "1", "1", "abc").text
    assert "Choose a market" in h.dial("7", "1", "1", "1", "0").text
