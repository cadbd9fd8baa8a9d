"""Identity's e-mail texts, in English and Luganda (the account's language picks one)."""

from __future__ import annotations

from dataclasses import dataclass

from soko.identity.models import Language


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str


_RESET = {
    "en": Mail(
        subject="Your Soko password reset code",
        text=(
            "Hello {name},\n\n"
            "Your code to set a new Soko password is {code}. It expires in {minutes} minutes.\n\n"
            "If you did not ask for it, ignore this e-mail: your password stays as it is. "
            "Never share this code. Soko will never ask you for it.\n\n"
            "Soko"
        ),
    ),
    "lg": Mail(
        subject="Koodi yo eya Soko okukyusa ekigambo eky'ekyama",
        text=(
            "Oli otya {name},\n\n"
            "Koodi yo ey'okuteekawo ekigambo eky'ekyama ekipya ku Soko ye {code}. "
            "Eggwaako mu ddakiika {minutes}.\n\n"
            "Bw'oba si ggwe wagisabye, leka e-mail eno: ekigambo kyo eky'ekyama tekikyuka. "
            "Tobuulirako muntu yenna koodi eno. Soko tegenda kugikusaba.\n\n"
            "Soko"
        ),
    ),
}

_FRIEND = {"en": "Soko user", "lg": "munnaSoko"}


def reset_code_mail(code: str, language: Language, name: str | None, minutes: int) -> Mail:
    """The password-reset e-mail: the code, how long it lasts, and what to do if not asked for."""
    template = _RESET.get(language, _RESET["en"])
    who = (name or "").strip() or _FRIEND.get(language, _FRIEND["en"])
    return Mail(template.subject, template.text.format(name=who, code=code, minutes=minutes))
