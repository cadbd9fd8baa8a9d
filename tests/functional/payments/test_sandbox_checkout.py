"""The sandbox PesaPal's checkout page (local runtime only): the ``redirect_url`` a buyer opens in
the web app's iframe, with "Pay" and "Decline" forms that settle the transaction and send the IPN,
so the payment completes or fails through the real webhook."""

from __future__ import annotations

import re
from typing import Any

import requests
from test_payments import initiate, status

from support.lambda_env import Invoke
from support.payments import Tables
from support.sandbox import SandboxServer
from support.users import User, new_user


def _open(run: Invoke, server: SandboxServer, tables: Tables) -> tuple[User, dict[str, Any], str]:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, 45_500)
    code, payment = initiate(run, buyer, order_id)
    assert code == 201, payment
    page = requests.get(payment["redirect_url"], timeout=10)
    return buyer, payment, page.text if page.status_code == 200 else f"HTTP {page.status_code}"


def _form_actions(text: str) -> dict[str, str]:
    return {
        label: action
        for action, label in re.findall(
            r'<form method="post" action="([^"]+)"><button type="submit">(\w+)', text
        )
    }


def test_the_page_shows_the_payment_and_pay_completes_it_through_the_ipn(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, payment, text = _open(run, server, tables)
    page = requests.get(payment["redirect_url"], timeout=10)

    assert page.headers["Content-Type"].startswith("text/html")
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "form-action 'self'" in csp
    assert "script" not in text.lower() and "style" not in text.lower()
    assert "UGX 45,500" in text and payment["merchant_reference"] in text
    actions = _form_actions(text)
    assert set(actions) == {"Pay", "Decline"}
    assert actions["Pay"] == f"{payment['redirect_url']}/pay"
    assert server.ipn_calls == 0

    paid = requests.post(actions["Pay"], timeout=30)

    assert paid.status_code == 200 and "Payment complete" in paid.text
    assert server.ipn_calls == 1
    assert status(run, buyer, payment["payment_id"])[1]["status"] == "completed"
    again = requests.post(actions["Decline"], timeout=30)  # a second click changes nothing
    assert "Payment complete" in again.text and server.ipn_calls == 1


def test_decline_fails_the_payment(run: Invoke, server: SandboxServer, tables: Tables) -> None:
    buyer, payment, text = _open(run, server, tables)

    declined = requests.post(_form_actions(text)["Decline"], timeout=30)

    assert declined.status_code == 200 and "Payment declined" in declined.text
    assert server.ipn_calls == 1
    assert status(run, buyer, payment["payment_id"])[1]["status"] == "failed"


def test_an_unknown_payment_is_a_404_page(server: SandboxServer) -> None:
    page = requests.get(f"{server.url}/_sandbox/pesapal/checkout/not-a-tracking-id", timeout=10)

    assert page.status_code == 404 and "Payment not found" in page.text
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
