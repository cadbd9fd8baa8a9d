"""Password hashing (argon2id at argon2-cffi's defaults: 64 MiB, 3 passes) and the password policy."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from soko.shared.errors import Unprocessable

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 8

# The most common passwords of 8 or more characters in public breach corpora (shorter ones fail the
# length rule anyway), plus local favourites. Compared case-insensitively.
_COMMON = frozenset(
    """
password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword 12345678 123456789
1234567890 0123456789 987654321 9876543210 11111111 111111111 00000000 22222222 88888888 12341234
12344321 87654321 11223344 12121212 123123123 qwertyui qwertyuiop qwerty123 qwerty12 1q2w3e4r
1q2w3e4r5t 1qaz2wsx zaq12wsx asdfghjk asdfghjkl zxcvbnm1 iloveyou iloveyou1 iloveyou2 princess1
sunshine sunshine1 football football1 baseball superman batman123 starwars trustno1 welcome1
welcome123 letmein1 letmein123 abc12345 abcd1234 abcdefgh aa123456 a1234567 a12345678 master123
monkey123 dragon123 shadow123 michael1 jennifer jordan23 liverpool chelsea1 arsenal1 manchester
computer internet whatever access14 secret123 changeme changeme1 default1 administrator admin123
admin1234 administrator1 root1234 test1234 testtest guest123 user1234 hello123 helloworld freedom1
mustang1 charlie1 jesus123 blessed1 godisgood christ12 uganda123 uganda256 kampala1 kampala123
kampala256 farmer123 farming1 matooke1 soko1234 soko12345 sokopassword 07000000 0700000000
""".split()
)


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher  # noqa: PLC0415  (only on the paths that hash or verify)

    return PasswordHasher()  # argon2id; parameters are stored in every hash


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError  # noqa: PLC0415

    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """Verified against when the account does not exist, so both answers take the same time."""
    return _hasher().hash("not-a-real-password-0000")


def check_policy(password: str, *, email: str | None = None, field: str = "password") -> None:
    """Raise Unprocessable (422, naming ``field``) when ``password`` is too weak."""
    lowered = password.lower()
    local_part = (email or "").split("@", 1)[0].lower()
    reason = None
    if len(password) < MIN_LENGTH:
        reason = f"use at least {MIN_LENGTH} characters"
    elif lowered in _COMMON:
        reason = "this is one of the most common passwords; choose another"
    elif len(set(password)) <= 2:
        reason = "use more than two different characters"
    elif local_part and len(local_part) >= 4 and local_part in lowered:
        reason = "do not use your email address in your password"
    if reason:
        raise Unprocessable(
            f"The password is too weak: {reason}.", details={"field": field, "reason": reason}
        )
