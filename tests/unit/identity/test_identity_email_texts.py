"""The password-reset e-mail's texts, in English and Luganda."""

from __future__ import annotations

import pytest

from soko.identity import texts
from soko.identity.models import Language


@pytest.mark.parametrize("language", ["en", "lg"])
def test_the_reset_mail_has_the_code_its_lifetime_and_the_name(language: Language) -> None:
    mail = texts.reset_code_mail("042917", language, "Nakato", 10)

    assert mail.text.count("042917") == 1
    assert "10" in mail.text
    assert "Nakato" in mail.text
    assert "042917" not in mail.subject  # subjects show in notifications and lists
    assert "{" not in mail.text and "}" not in mail.text


def test_english_and_luganda_differ_and_luganda_is_luganda() -> None:
    en = texts.reset_code_mail("111111", "en", "Okello", 10)
    lg = texts.reset_code_mail("111111", "lg", "Okello", 10)

    assert en.subject == "Your Soko password reset code"
    assert en.text.startswith("Hello Okello,")
    assert lg.subject != en.subject and lg.text != en.text
    assert "Koodi" in lg.subject and "ddakiika 10" in lg.text


@pytest.mark.parametrize(
    ("language", "greeting"), [("en", "Hello Soko user,"), ("lg", "Oli otya munnaSoko,")]
)
def test_an_account_without_a_name_is_still_greeted(language: Language, greeting: str) -> None:
    assert texts.reset_code_mail("123456", language, None, 10).text.startswith(greeting)
    assert texts.reset_code_mail("123456", language, "  ", 10).text.startswith(greeting)
