"""Browser tests' helpers: Debian's Chromium driven by Playwright (no browser download), a fresh
profile per test, and the API calls that set up a world faster than clicking through it."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Page, expect

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# Chromium as root in a container, headless, and quiet on a closed network (no background calls).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
_SEQ = itertools.count(1)
PASSWORD = "Correct-Horse-9-Battery"  # the test accounts' password
SLOW_MS = 45_000  # a page waiting on a cold function of the local runtime on a busy machine


def chromium_path() -> str:
    explicit = os.environ.get("SOKO_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("no Chromium: `make test` installs Debian's chromium package (apt-get install)")


def unique_phone() -> str:
    """A Ugandan mobile number no other test uses (MTN 077x range)."""
    return f"+25677{int(time.time() * 1000) % 10_000_000 + next(_SEQ):07d}"[:13]


def unique_email(prefix: str) -> str:
    return f"{prefix}.{time.time_ns()}@example.ug"


def register(base_url: str, role: str, *, name: str, phone: str | None = None) -> dict[str, Any]:
    """Open an account through the API and sign in: the account's email, password, id and tokens."""
    email = unique_email(role)
    password = PASSWORD
    body: dict[str, Any] = {"email": email, "password": password, "role": role, "full_name": name}
    if phone:
        body["phone"] = phone
    answer = requests.post(f"{base_url}/auth/register", json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    login = requests.post(f"{base_url}/auth/login", json={"email": email, "password": password}, timeout=30)
    assert login.status_code == 200, login.text
    return {**body, **answer.json(), **login.json()}


def auth(account: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {account['access_token']}"}


def sms_sent(base_url: str, phone: str, pattern: str) -> list[str]:
    """What the local runtime texted to ``phone`` (the Africa's Talking sandbox outbox) matching
    ``pattern``'s first group, oldest first."""
    answer = requests.get(f"{base_url}/_sandbox/sms/outbox", params={"to": phone}, timeout=30)
    assert answer.status_code == 200, answer.text
    found = (re.search(pattern, m["message"]) for m in answer.json()["messages"])
    return [m.group(1) for m in found if m]


CONFIRM_CODE = r"confirm this phone is (\d{6})"  # the phone-confirmation SMS's code


def local_phone(phone: str) -> str:
    """+256772123456 as people type it: 0772 123456."""
    return f"0{phone[4:7]} {phone[7:]}"


def register_verified(base_url: str, role: str, *, name: str) -> dict[str, Any]:
    """An account (through the API) whose phone is confirmed with the code it was texted."""
    phone = unique_phone()
    account = register(base_url, role, name=name, phone=phone)
    answer = requests.post(
        f"{base_url}/users/me/phone/verify",
        json={"code": sms_sent(base_url, phone, CONFIRM_CODE)[-1]},
        headers=auth(account),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return {**account, "phone": phone}


def sign_up_in_browser(page: Page, base_url: str, *, role_label: str, name: str) -> dict[str, Any]:
    """Open an account through the sign-up page, phone confirmed with the code it texted, as a new
    user does; answers the account (with tokens of a separate API session, for the test's checks)."""
    email, phone = unique_email("web"), unique_phone()
    page.goto("/#/signup")
    page.get_by_label("I want to").select_option(label=role_label)
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone number (optional)").fill(local_phone(phone))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_label("Code from the SMS")).to_be_visible(timeout=SLOW_MS)
    page.get_by_label("Code from the SMS").fill(sms_sent(base_url, phone, CONFIRM_CODE)[-1])
    page.get_by_role("button", name="Confirm my phone").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=SLOW_MS)
    login = requests.post(f"{base_url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    assert login.status_code == 200, login.text
    me = requests.get(
        f"{base_url}/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}, timeout=30
    )
    return {
        "email": email,
        "password": PASSWORD,
        "phone": phone,
        "full_name": name,
        **me.json(),
        **login.json(),
    }


def sign_in_in_browser(page: Page, account: dict[str, Any]) -> None:
    """Sign in through the sign-in page with the account's email and password."""
    page.goto("/#/signin")
    page.get_by_label("Email or phone number").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=SLOW_MS)
