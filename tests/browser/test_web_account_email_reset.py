"""An account with no phone (e-mail only) resets its password by e-mail in the browser: the code is
read from the local runtime's SES sandbox mailbox (GET /_sandbox/email/outbox)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from support.browser import register
from support.runtime import RunningRuntime

TIMEOUT = 30


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """The local runtime's first calls of a function are cold starts (seconds on a busy machine)."""
    expect.set_options(timeout=45_000)
    yield
    expect.set_options(timeout=5_000)


def mails(runtime: RunningRuntime, address: str) -> list[dict[str, str]]:
    answer = requests.get(f"{runtime.url}/_sandbox/email/outbox", params={"to": address}, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["messages"])


def reset_code(runtime: RunningRuntime, address: str) -> str:
    """The code of the newest reset e-mail to ``address`` (waiting for it up to 20 s)."""
    deadline = time.monotonic() + 20
    while not (found := mails(runtime, address)) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert found, f"no e-mail to {address}"
    assert found[-1]["subject"] == "Your Soko password reset code"
    code = re.search(r"is (\d{6})\.", found[-1]["text"])
    assert code, found[-1]
    return code.group(1)


def test_an_email_only_account_resets_its_password_by_email(page: Page, web_runtime: RunningRuntime) -> None:
    account = register(web_runtime.url, "buyer", name="Namusoke Ruth")  # an e-mail, no phone
    email, old_password, new_password = account["email"], account["password"], "Jinja-Coffee-Beans-2026"
    assert account.get("phone") is None and account.get("pending_phone") is None

    page.goto("/#/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password")).to_be_visible()
    page.get_by_label("Phone number or e-mail").fill(email)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    expect(
        page.get_by_text("If this e-mail address belongs to an account, a code is on its way")
    ).to_be_visible()
    expect(page.get_by_label("Phone number or e-mail")).to_have_value(email)
    code = reset_code(web_runtime, email)
    assert len(mails(web_runtime, email)) == 1

    page.get_by_label("Code from the SMS or e-mail").fill(code)
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_role("button", name="Change my password").click()
    # changed, and signed in with the new password
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Namusoke Ruth")

    def login(password: str) -> int:
        body = {"email": email, "password": password}
        return requests.post(f"{web_runtime.url}/auth/login", json=body, timeout=TIMEOUT).status_code

    assert login(old_password) == 401
    assert login(new_password) == 200
