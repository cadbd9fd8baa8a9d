"""Identity rules: accounts, sign-in, token rotation, password reset, profiles (no boto3 here)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from soko.identity import passwords, tokens
from soko.identity.dal import UsersDal
from soko.identity.events import ProfileUpdated, UserRegistered
from soko.identity.models import (
    Account,
    DirectoryRole,
    ForgotRequest,
    IdentityConfig,
    Language,
    LoginRequest,
    ProfileUpdate,
    PublicProfile,
    RefreshRequest,
    RegisterRequest,
    ResetRequest,
    StoredUser,
    TokenPair,
    UserPage,
)
from soko.providers.sms import SmsSender
from soko.shared import clock, ids
from soko.shared import phone as phones
from soko.shared.errors import NotFound, TooManyRequests, Unauthorized, Unprocessable
from soko.shared.identity import Caller
from soko.shared.observability import logger

LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_MAX_FAILURES = 5
REFRESH_SECONDS = 30 * 24 * 3600
REFRESH_HISTORY = 50  # used refresh tokens remembered per family, to tell reuse from junk
RESET_CODE_SECONDS = 10 * 60
RESET_MAX_TRIES = 5
RESET_SMS_PER_HOUR = 3
RESET_WINDOW_SECONDS = 3600


@dataclass
class Identity:
    """What identity's logic needs, injected by the handlers (and by tests)."""

    config: IdentityConfig
    dal: UsersDal
    signing_secret: Callable[[], str]
    sms: Callable[[], SmsSender] | None = None


class InvalidCredentials(Unauthorized):
    code = "INVALID_CREDENTIALS"


class InvalidRefreshToken(Unauthorized):
    code = "INVALID_REFRESH_TOKEN"


class InvalidResetCode(Unprocessable):
    code = "INVALID_RESET_CODE"


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------------- accounts
def register(request: RegisterRequest, deps: Identity) -> Account:
    passwords.check_policy(request.password, email=str(request.email))
    now = clock.now_iso()
    user = StoredUser(
        id=ids.ulid(),
        email=str(request.email),
        email_lower=str(request.email).lower(),
        password_hash=passwords.hash_password(request.password),
        role=request.role,
        phone=request.phone,
        full_name=request.full_name,
        created_at=now,
        updated_at=now,
    )
    event = UserRegistered(user_id=user.id, role=user.role, language=user.language)
    deps.dal.create_user(user, [event])
    return user.account()


def register_by_phone(
    phone: str, full_name: str, district: str, language: Language, deps: Identity
) -> StoredUser:
    """Open a farmer account from a basic phone (USSD): no email and no password until the owner
    sets one for the app (by phone: POST /auth/password/forgot then /auth/password/reset).
    A phone that already has an account is a 409 (PhoneTaken)."""
    now = clock.now_iso()
    user = StoredUser(
        id=ids.ulid(),
        role="farmer",
        phone=phones.normalize(phone),
        full_name=full_name,
        district=district,
        language=language,
        created_at=now,
        updated_at=now,
    )
    event = UserRegistered(user_id=user.id, role=user.role, district=district, language=language)
    deps.dal.create_user(user, [event])
    return user


def create_admin(email: str, password: str, deps: Identity) -> str:
    """Create the admin account (``make dev`` and ``make create-admin``); idempotent by email."""
    existing = deps.dal.user_id_by_email(email.lower())
    if existing:
        return existing
    passwords.check_policy(password, email=email)
    now = clock.now_iso()
    user = StoredUser(
        id=ids.ulid(),
        email=email,
        email_lower=email.lower(),
        password_hash=passwords.hash_password(password),
        role="admin",
        full_name="Soko admin",
        created_at=now,
        updated_at=now,
    )
    deps.dal.create_user(user, [UserRegistered(user_id=user.id, role="admin")])
    return user.id


# ---------------------------------------------------------------------------- sign-in and tokens
def _issue(user: StoredUser, deps: Identity, family_id: str | None = None) -> tuple[TokenPair, str, str]:
    """A token pair; returns the pair, the family id and the new refresh token's hash."""
    access = tokens.issue_access_token(
        user_id=user.id,
        role=user.role,
        email=user.email or "",
        secret=deps.signing_secret(),
        issuer=deps.config.jwt_issuer,
        audience=deps.config.jwt_audience,
    )
    family = family_id or ids.ulid()
    secret = secrets.token_urlsafe(32)
    pair = TokenPair(
        access_token=access, refresh_token=f"{family}.{secret}", expires_in=tokens.ACCESS_TOKEN_SECONDS
    )
    return pair, family, _hash(secret)


def login(request: LoginRequest, deps: Identity) -> TokenPair:
    account = request.account_key
    now = clock.epoch()
    # Every attempt is counted before the password is checked (a success clears the count), so
    # parallel guesses cannot slip past the limit.
    full_since = deps.dal.reserve_login_attempt(account, now, LOGIN_WINDOW_SECONDS, LOGIN_MAX_FAILURES)
    if full_since is not None:
        raise TooManyRequests(
            "Too many failed sign-ins for this account. Try again later.",
            retry_after_seconds=max(1, full_since + LOGIN_WINDOW_SECONDS - now),
        )
    user_id = (
        deps.dal.user_id_by_email(str(request.email).lower())
        if request.email is not None
        else deps.dal.user_id_by_phone(str(request.phone))
    )
    user = deps.dal.get_user(user_id) if user_id else None
    # Verify against a dummy hash when there is no account: both answers take as long.
    valid = passwords.verify_password(
        user.password_hash if user and user.password_hash else passwords.dummy_hash(), request.password
    )
    if user is None or not user.password_hash or not valid:
        raise InvalidCredentials(
            f"The {'email' if request.email is not None else 'phone number'} or password is not right."
        )
    deps.dal.clear_login_failures(account)
    pair, family, token_hash = _issue(user, deps)
    deps.dal.create_family(family, user.id, token_hash, user.token_version, now + REFRESH_SECONDS)
    return pair


def _split_refresh(token: str) -> tuple[str, str]:
    family, _, secret = token.partition(".")
    if not ids.is_ulid(family) or len(secret) < 20:
        raise InvalidRefreshToken("The refresh token is not valid; sign in again.")
    return family, secret


def refresh(request: RefreshRequest, deps: Identity) -> TokenPair:
    """Rotate: the presented token stops working. Presenting a token of the family that was
    already rotated means it was copied: the whole family is revoked (theft detection). A token
    the family never issued is refused without touching the family."""
    invalid = InvalidRefreshToken("The refresh token is not valid; sign in again.")
    family, secret = _split_refresh(request.refresh_token)
    presented = _hash(secret)
    now = clock.epoch()
    record = deps.dal.get_family(family)
    if record is None or record.get("revoked") or int(record["expires_at"]) <= now:
        raise invalid
    previous = [str(h) for h in record.get("previous", [])]
    if not hmac.compare_digest(str(record["current"]), presented):
        if any(hmac.compare_digest(old, presented) for old in previous):
            _revoke_reused(family, record, deps)
        raise invalid
    user = deps.dal.get_user(str(record["user_id"]))
    if user is None or int(record.get("token_version", -1)) != user.token_version:
        deps.dal.revoke_family(family)
        raise invalid
    pair, _, replacement = _issue(user, deps, family)
    history = [*previous, presented][-REFRESH_HISTORY:]
    # The swap is conditional on the presented token still being current: of two requests racing
    # with the same token only one wins, and the loser is treated as reuse.
    if not deps.dal.rotate_family(
        family, presented, replacement, previous=history, now=now, expires_at=now + REFRESH_SECONDS
    ):
        _revoke_reused(family, record, deps)
        raise invalid
    return pair


def _revoke_reused(family: str, record: dict[str, object], deps: Identity) -> None:
    deps.dal.revoke_family(family)
    logger.warning("refresh token reused: family revoked", extra={"user_id": record.get("user_id")})


def logout(request: RefreshRequest, deps: Identity) -> None:
    """Revoke the refresh token's family: possession of one of its tokens is the right to."""
    try:
        family, secret = _split_refresh(request.refresh_token)
    except InvalidRefreshToken:
        return
    record = deps.dal.get_family(family)
    if record is None:
        return
    presented = _hash(secret)
    known = [str(record["current"]), *(str(h) for h in record.get("previous", []))]
    if any(hmac.compare_digest(h, presented) for h in known):
        deps.dal.revoke_family(family)


# ---------------------------------------------------------------------------- password reset
def _find(request: ForgotRequest, deps: Identity) -> StoredUser | None:
    user_id = (
        deps.dal.user_id_by_email(str(request.email).lower())
        if request.email
        else deps.dal.user_id_by_phone(str(request.phone))
    )
    return deps.dal.get_user(user_id) if user_id else None


def _code_hash(user_id: str, code: str) -> str:
    return _hash(f"{user_id}:{code}")


def forgot(request: ForgotRequest, deps: Identity) -> None:
    """Send a 6-digit code by SMS. Always answers the same way: it never reveals an account."""
    user = _find(request, deps)
    if user is None or not user.phone:
        logger.info("password reset asked for an account that cannot receive an SMS")
        return
    now = clock.epoch()
    previous = deps.dal.get_reset(user.id) or {}
    window_start = int(previous.get("window_start", 0))
    issued = int(previous.get("issued", 0)) if window_start > now - RESET_WINDOW_SECONDS else 0
    if issued >= RESET_SMS_PER_HOUR:
        logger.info("password reset SMS limit reached", extra={"user_id": user.id})
        return
    code = f"{secrets.randbelow(10**6):06d}"
    deps.dal.put_reset(
        user.id,
        _code_hash(user.id, code),
        code_expires_at=now + RESET_CODE_SECONDS,
        issued=issued + 1,
        window_start=window_start if issued else now,
        window_seconds=RESET_WINDOW_SECONDS,
    )
    if deps.sms is None:
        raise RuntimeError("no SMS sender configured")
    message = f"Your Soko code is {code}. It expires in 10 minutes. Never share it."
    try:
        deps.sms().send_one(user.phone, message)
    except Exception:
        logger.exception("sending the reset SMS failed", extra={"user_id": user.id})


def reset(request: ResetRequest, deps: Identity) -> None:
    invalid = InvalidResetCode(
        "The code is wrong or has expired. Ask for a new one.", details={"field": "code"}
    )
    user = _find(request, deps)
    stored = deps.dal.get_reset(user.id) if user else None
    if user is None or not stored or not stored.get("code_hash"):
        raise invalid
    if int(stored.get("code_expires_at", stored["expires_at"])) <= clock.epoch():
        raise invalid
    passwords.check_policy(request.new_password, email=user.email, field="new_password")
    attempt = deps.dal.reserve_reset_attempt(user.id, RESET_MAX_TRIES)  # counted before comparing
    if attempt is None:
        raise invalid
    if not hmac.compare_digest(str(stored["code_hash"]), _code_hash(user.id, request.code)):
        if attempt >= RESET_MAX_TRIES:
            deps.dal.burn_reset(user.id)
        raise invalid
    # The password first: if it fails (the account changed at the same moment) the code still works.
    deps.dal.set_password(user, passwords.hash_password(request.new_password), clock.now_iso())
    deps.dal.burn_reset(user.id)


# ---------------------------------------------------------------------------- profiles
def _user(user_id: str, deps: Identity) -> StoredUser:
    user = deps.dal.get_user(user_id)
    if user is None:
        raise UserNotFound("No such user.", details={"id": user_id})
    return user


def me(caller: Caller, deps: Identity) -> Account:
    return _user(caller.user_id, deps).account()


def update_me(caller: Caller, update: ProfileUpdate, deps: Identity) -> Account:
    user = _user(caller.user_id, deps)
    # null clears a district or phone; the language and the lists cannot be null: null keeps them
    changes = {
        k: v
        for k, v in update.model_dump(exclude_unset=True).items()
        if v is not None or k not in ("language", "specialties", "interests")
    }
    if user.role == "buyer" and "specialties" in changes:
        raise Unprocessable("Only farmers list specialties.", details={"field": "specialties"})
    if user.role == "farmer" and "interests" in changes:
        raise Unprocessable("Only buyers list interests.", details={"field": "interests"})
    changed = sorted(k for k, v in changes.items() if getattr(user, k) != v)
    if not changed:
        return user.account()
    new = user.model_copy(update={**changes, "version": user.version + 1, "updated_at": clock.now_iso()})
    event = ProfileUpdated(
        user_id=new.id,
        role=new.role,
        district=new.district,
        specialties=new.specialties,
        interests=new.interests,
        language=new.language,
        changed=changed,
    )
    deps.dal.replace_user(user, new, [event])
    return new.account()


def apply_rating(farmer_id: str, rating_sum: int, rating_count: int, deps: Identity) -> bool:
    """A farmer's new rating totals (from ReviewSubmitted) on the profile and directory entries; False
    when the stored totals are as new or newer (the count only grows) or there is no such farmer."""
    applied = deps.dal.set_rating(farmer_id, rating_sum, rating_count)
    logger.info("rating applied" if applied else "rating already newer", extra={"farmer_id": farmer_id})
    return applied


def list_users(
    role: DirectoryRole, district: str | None, limit: int, cursor: str | None, deps: Identity
) -> UserPage:
    page = deps.dal.list_directory(role, district, limit, cursor)
    items = [PublicProfile.model_validate(dynamo_item) for dynamo_item in page.items]
    return UserPage(items=items, next_cursor=page.next_cursor)


def get_user(caller: Caller, user_id: str, deps: Identity) -> PublicProfile:
    user = _user(user_id, deps)
    if user.role == "admin" and not caller.is_admin:
        raise UserNotFound("No such user.", details={"id": user_id})
    return user.account() if user_id == caller.user_id or caller.is_admin else user.public()
