"""The account journeys in a browser: sign up (a buyer with a phone confirmed by its SMS code),
sign out and in again by phone, a wrong password told as the API tells it, a password reset by SMS
code, and the same in Luganda with the language kept on the account."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from support.browser import (
    CONFIRM_CODE,
    auth,
    local_phone,
    register_verified,
    sms_sent,
    unique_email,
    unique_phone,
)
from support.runtime import RunningRuntime

PASSWORD = "Correct-Horse-9-Battery"  # a test account's password
TIMEOUT = 30


def wait_for_language(runtime: RunningRuntime, account: dict[str, Any], wanted: str) -> str:
    """The account's language once it is ``wanted`` (or what it still is after 20 s)."""
    deadline = time.monotonic() + 20
    while True:
        me = requests.get(f"{runtime.url}/users/me", headers=auth(account), timeout=TIMEOUT).json()
        if me["language"] == wanted or time.monotonic() > deadline:
            return str(me["language"])
        time.sleep(0.25)


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """The local runtime's first calls of a function are cold starts (seconds on a busy machine)."""
    expect.set_options(timeout=45_000)
    yield
    expect.set_options(timeout=5_000)


def login(runtime: RunningRuntime, password: str, **who: str) -> requests.Response:
    return requests.post(f"{runtime.url}/auth/login", json={**who, "password": password}, timeout=TIMEOUT)


def test_a_buyer_signs_up_confirms_the_phone_signs_out_and_signs_in_by_phone(
    page: Page, web_runtime: RunningRuntime
) -> None:
    email, phone = unique_email("web.buyer"), unique_phone()
    page.goto("/#/signup")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    expect(
        page.get_by_text("At least 8 characters, not a common password, and not your email.")
    ).to_be_visible()
    page.get_by_label("I want to").select_option(label="Buy produce")
    page.get_by_label("Full name").fill("Nakato Grace")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone number (optional)").fill(local_phone(phone))
    page.get_by_label("Password").fill("password")  # one of the most common: the API refuses it
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_contain_text("The password is too weak")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", name="Welcome to Soko, Nakato Grace!")).to_be_visible()
    expect(page.get_by_text(f"We sent a 6-digit code to {phone}.")).to_be_visible()
    code = sms_sent(web_runtime.url, phone, CONFIRM_CODE)[-1]
    page.get_by_label("Code from the SMS").fill(code)
    page.get_by_role("button", name="Confirm my phone").click()
    # confirmed: the page moves on
    expect(page.get_by_role("heading", name="Welcome to Soko, Nakato Grace!")).to_have_count(0)
    signout = page.get_by_role("button", name="Sign out")
    expect(signout).to_be_visible()
    expect(page.get_by_role("link", name="My profile")).to_be_visible()
    expect(page.get_by_role("link", name="Sign up")).to_have_count(0)

    # the API has the account, a buyer, with its phone confirmed: it signs in by phone
    tokens = login(web_runtime, PASSWORD, phone=phone)
    assert tokens.status_code == 200, tokens.text
    account = requests.get(f"{web_runtime.url}/users/me", headers=auth(tokens.json()), timeout=TIMEOUT).json()
    assert (account["role"], account["fullName"], account["email"]) == ("buyer", "Nakato Grace", email)
    assert (account["phone"], account["phone_verified"], account.get("pending_phone")) == (phone, True, None)

    signout.click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert page.evaluate("localStorage.getItem('soko.refresh')") is None

    # a guarded page sends the user to sign in, and back after it
    page.goto("/#/profile")
    page.get_by_role("link", name="Sign in to continue").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email or phone number").fill(local_phone(phone))
    page.get_by_label("Password").fill("Wrong-Horse-9-Battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The phone number or password is not right.")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Nakato Grace")
    expect(page.get_by_text(f"{phone} · Your phone is confirmed.")).to_be_visible()


def test_a_password_is_reset_by_an_sms_code(page: Page, web_runtime: RunningRuntime) -> None:
    account = register_verified(web_runtime.url, "farmer", name="Okello Peter")
    phone, new_password = account["phone"], "Gulu-Maize-Harvest-2026"
    page.goto("/#/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password")).to_be_visible()
    page.get_by_label("Phone number").fill(local_phone(phone))
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    expect(
        page.get_by_text("If this phone belongs to an account, a code is on its way to it.")
    ).to_be_visible()
    expect(page.get_by_label("Phone number")).to_have_value(local_phone(phone).replace(" ", ""))  # as typed
    code = sms_sent(web_runtime.url, phone, r"Your Soko code is (\d{6})")[-1]

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page.get_by_label("Code from the SMS").fill(wrong)
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("alert")).to_have_text("The code is wrong or has expired. Ask for a new one.")
    assert login(web_runtime, PASSWORD, phone=phone).status_code == 200  # nothing changed yet

    page.get_by_label("Code from the SMS").fill(code)
    page.get_by_role("button", name="Change my password").click()
    # changed, and signed in with the new password
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Okello Peter")
    assert login(web_runtime, new_password, phone=phone).status_code == 200
    assert login(web_runtime, PASSWORD, phone=phone).status_code == 401


def test_a_luganda_journey_keeps_the_language_on_the_account(page: Page, web_runtime: RunningRuntime) -> None:
    account = register_verified(web_runtime.url, "farmer", name="Nambi Sarah")
    page.goto("/#/signin")
    page.get_by_role("button", name="Luganda").click()
    expect(page.get_by_role("heading", name="Yingira")).to_be_visible()
    page.get_by_label("Email oba ennamba y'essimu").fill(account["email"])
    page.get_by_label("Ekigambo eky'ekyama").fill(PASSWORD)
    page.get_by_role("button", name="Yingira").click()
    expect(page.get_by_role("button", name="Fuluma")).to_be_visible()

    # the language chosen on the device is kept on the account: SMS and USSD speak it too
    # (saved right after sign-in: the header shows the signed-in menu a moment before the save lands)
    assert wait_for_language(web_runtime, account, "lg") == "lg"

    page.get_by_role("link", name="Ebikwata ku nze").click()
    expect(page.get_by_role("heading", name="Ebikwata ku nze")).to_be_visible()
    expect(page.get_by_label("Olulimi (ne mu SMS ne USSD)")).to_have_value("lg")
    expect(page.get_by_text("Omulimi", exact=True)).to_be_visible()
    district = page.get_by_label("Disitulikiti")
    if district.evaluate("e => e.tagName") == "SELECT":  # the catalogue's districts
        district.select_option("Gulu")
    else:  # no catalogue yet: typed
        district.fill("gulu")
    page.get_by_label("Bye nnima").fill("maize, beans")
    page.get_by_role("button", name="Tereka").click()
    expect(page.get_by_role("status")).to_have_text("Kiterekeddwa.")
    me = requests.get(f"{web_runtime.url}/users/me", headers=auth(account), timeout=TIMEOUT).json()
    assert (me["language"], me["district"], me["specialties"]) == ("lg", "Gulu", ["maize", "beans"])

    # a new visit on another device starts in the account's language once signed in
    page.evaluate("localStorage.removeItem('soko.lang')")
    page.reload()
    expect(page.get_by_role("heading", name="Ebikwata ku nze")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "lg"

    # and back to English from the profile: saved on the account, the page in English
    page.get_by_label("Olulimi (ne mu SMS ne USSD)").select_option("en")
    page.get_by_role("button", name="Tereka").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    me = requests.get(f"{web_runtime.url}/users/me", headers=auth(account), timeout=TIMEOUT).json()
    assert me["language"] == "en"
