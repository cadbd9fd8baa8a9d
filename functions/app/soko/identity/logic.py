"""Identity rules: accounts, sign-in, token rotation, password reset, profiles (no boto3 here)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from soko.identity import countries, passwords, texts, tokens
from soko.identity.dal import PhoneTaken, UsersDal
from soko.identity.events import (
    AdminActionTaken,
    PasswordChanged,
    ProfileUpdated,
    SignedOut,
    UserRegistered,
    UserReinstated,
    UserSuspended,
)
from soko.identity.models import (
    Account,
    AccountStatusChange,
    DirectoryRole,
    ForgotRequest,
    IdentityConfig,
    Language,
    LoginRequest,
    PhoneVerifyRequest,
    ProfileUpdate,
    PublicProfile,
    RefreshRequest,
    RegisterRequest,
    ResetRequest,
    SelfRegisteredRole,
    StoredUser,
    TokenPair,
    UserPage,
)
from soko.providers.email import EmailSender
from soko.providers.sms import SmsSender
from soko.shared import clock, ids
from soko.shared import phone as phones
from soko.shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
)
from soko.shared.identity import Caller
from soko.shared.observability import logger

LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_MAX_FAILURES = 5
REFRESH_SECONDS = 30 * 24 * 3600
REFRESH_HISTORY = 50  # used refresh tokens remembered per family, to tell reuse from junk
RESET_CODE_SECONDS = 10 * 60
RESET_MAX_TRIES = 5
# SMS quotas: at most this many codes per phone and purpose per fixed window, counted atomically
SMS_PER_WINDOW = 3
SMS_WINDOW_SECONDS = 3600
PHONE_CODE_SECONDS = 10 * 60
PHONE_CODE_TRIES = 5


@dataclass
class Identity:
    """What identity's logic needs, injected by the handlers (and by tests)."""

    config: IdentityConfig
    dal: UsersDal
    signing_secret: Callable[[], str]
    sms: Callable[[], SmsSender] | None = None
    email: Callable[[], EmailSender] | None = None


class InvalidCredentials(Unauthorized):
    code = "INVALID_CREDENTIALS"


class InvalidRefreshToken(Unauthorized):
    code = "INVALID_REFRESH_TOKEN"


class InvalidResetCode(Unprocessable):
    code = "INVALID_RESET_CODE"


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"


class AccountSuspended(Forbidden):
    code = "ACCOUNT_SUSPENDED"


class PhoneNotServed(Unprocessable):
    code = "PHONE_COUNTRY_NOT_SERVED"


class InvalidPhoneCode(Unprocessable):
    code = "INVALID_PHONE_CODE"


class NoPendingPhone(Conflict):
    code = "NO_PENDING_PHONE"


class SmsLimitReached(TooManyRequests):
    code = "SMS_LIMIT_REACHED"


class CannotSuspendSelf(Conflict):
    code = "CANNOT_SUSPEND_SELF"


class CannotSuspendAdmin(Forbidden):
    code = "CANNOT_SUSPEND_ADMIN"


class StatusUnchanged(Conflict):
    code = "STATUS_UNCHANGED"


SUSPENDED_MESSAGE = "This account is suspended. Contact Soko support."


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------------- phones and SMS codes
def _served(phone: str, deps: Identity, field: str = "phone") -> None:
    if not countries.served(phone, deps.config.sms_countries):
        raise PhoneNotServed(
            "Soko does not serve this phone number's country yet.",
            details={"field": field, "countries": sorted(countries.parse(deps.config.sms_countries))},
        )


def _reserve_sms(phone: str, purpose: str, deps: Identity) -> bool:
    """One SMS of ``purpose`` to ``phone`` counted against its window (atomic; see the dal)."""
    return deps.dal.reserve_sms(phone, purpose, clock.epoch(), SMS_WINDOW_SECONDS, SMS_PER_WINDOW)


def _sms_limit(phone: str) -> SmsLimitReached:
    now = clock.epoch()
    return SmsLimitReached(
        f"At most {SMS_PER_WINDOW} codes an hour are sent to one phone. Try again later.",
        retry_after_seconds=max(1, SMS_WINDOW_SECONDS - now % SMS_WINDOW_SECONDS),
        details={"field": "phone"},
    )


def _text(phone: str, message: str, user_id: str, deps: Identity) -> None:
    """Send one SMS (best effort: the code stays stored; the caller may ask again)."""
    if deps.sms is None:
        raise RuntimeError("no SMS sender configured")
    try:
        deps.sms().send_one(phone, message)
    except Exception:
        logger.exception("sending an SMS code failed", extra={"user_id": user_id})


def _code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _send_phone_code(user: StoredUser, phone: str, deps: Identity) -> None:
    """A 6-digit code for ``phone`` (hashed; 10 minutes; 5 tries). The quota was reserved by the caller."""
    code = _code()
    deps.dal.put_phone_code(
        user.id,
        phone,
        _code_hash(user.id, f"{phone}:{code}"),
        code_expires_at=clock.epoch() + PHONE_CODE_SECONDS,
    )
    _text(phone, f"Your Soko code to confirm this phone is {code}. It expires in 10 minutes.", user.id, deps)


def _taken_by_other(phone: str, user_id: str, deps: Identity) -> bool:
    owner = deps.dal.user_id_by_phone(phone)
    return owner is not None and owner != user_id


def _phone_taken() -> PhoneTaken:
    return PhoneTaken("Another account has already verified this phone number.", details={"field": "phone"})


# ---------------------------------------------------------------------------- accounts
def register(request: RegisterRequest, deps: Identity) -> Account:
    """Open an account. A phone given here waits for its SMS code (POST /users/me/phone/verify)
    before it counts; one another account has verified is a 409."""
    passwords.check_policy(request.password, email=str(request.email))
    if request.phone:
        _served(request.phone, deps)
        if deps.dal.user_id_by_phone(request.phone):
            raise _phone_taken()
    now = clock.now_iso()
    user = StoredUser(
        id=ids.ulid(),
        email=str(request.email),
        email_lower=str(request.email).lower(),
        password_hash=passwords.hash_password(request.password),
        role=request.role,
        pending_phone=request.phone,
        phone_verified=False,
        full_name=request.full_name,
        created_at=now,
        updated_at=now,
    )
    event = UserRegistered(user_id=user.id, role=user.role, language=user.language)
    deps.dal.create_user(user, [event])
    if request.phone:
        if _reserve_sms(request.phone, "verify", deps):
            _send_phone_code(user, request.phone, deps)
        else:
            logger.info("phone verification SMS limit reached at registration", extra={"user_id": user.id})
    return user.account()


def register_by_phone(
    phone: str,
    full_name: str,
    district: str,
    language: Language,
    deps: Identity,
    *,
    role: SelfRegisteredRole = "farmer",
) -> StoredUser:
    """Open an account from a basic phone (USSD; a farmer unless the caller chose buyer or
    transporter): no email and no password until the owner sets one for the app (by phone:
    POST /auth/password/forgot then /auth/password/reset).
    The phone is verified by the carrier (the USSD gateway says which phone calls).
    A phone that already has an account is a 409 (PhoneTaken)."""
    now = clock.now_iso()
    user = StoredUser(
        id=ids.ulid(),
        role=role,
        phone=phones.normalize(phone),
        phone_verified=True,
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


def _by_phone(phone: str, deps: Identity) -> StoredUser | None:
    """The account whose **verified** phone is ``phone`` (a guard left by an unverified phone stored
    before phones were verified names nobody)."""
    user_id = deps.dal.user_id_by_phone(phone)
    user = deps.dal.get_user(user_id) if user_id else None
    return user if user is not None and user.verified_phone == phone else None


# ---------------------------------------------------------------------------- sign-in and tokens
def _issue(user: StoredUser, deps: Identity, family_id: str | None = None) -> tuple[TokenPair, str, str]:
    """A token pair; returns the pair, the family id and the new refresh token's hash."""
    family = family_id or ids.ulid()
    access = tokens.issue_access_token(
        user_id=user.id,
        role=user.role,
        email=user.email or "",
        secret=deps.signing_secret(),
        issuer=deps.config.jwt_issuer,
        audience=deps.config.jwt_audience,
        token_version=user.token_version,
        session_id=family,
    )
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
    if request.email is not None:
        user_id = deps.dal.user_id_by_email(str(request.email).lower())
        user = deps.dal.get_user(user_id) if user_id else None
    else:
        user = _by_phone(str(request.phone), deps)
    # Verify against a dummy hash when there is no account: both answers take as long.
    valid = passwords.verify_password(
        user.password_hash if user and user.password_hash else passwords.dummy_hash(), request.password
    )
    if user is None or not user.password_hash or not valid:
        raise InvalidCredentials(
            f"The {'email' if request.email is not None else 'phone number'} or password is not right."
        )
    deps.dal.clear_login_failures(account)
    if user.suspended:  # told only to whoever knows the password
        raise AccountSuspended(SUSPENDED_MESSAGE)
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
    if user is not None and user.suspended:
        deps.dal.revoke_family(family)
        raise AccountSuspended(SUSPENDED_MESSAGE)
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
    """Revoke the refresh token's family: possession of one of its tokens is the right to. The
    session's access tokens are refused from then on (their ``sid``) and ``SignedOut`` lets realtime
    close its WebSocket connections."""
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
        deps.dal.end_session(family, [SignedOut(user_id=str(record["user_id"]), session_id=family)])


# ---------------------------------------------------------------------------- password reset
def _find(request: ForgotRequest, deps: Identity) -> StoredUser | None:
    if request.email:
        user_id = deps.dal.user_id_by_email(str(request.email).lower())
        return deps.dal.get_user(user_id) if user_id else None
    return _by_phone(str(request.phone), deps)


def _code_hash(user_id: str, code: str) -> str:
    return _hash(f"{user_id}:{code}")


def forgot(request: ForgotRequest, deps: Identity) -> None:
    """Send a 6-digit code to the account. Asked by phone: by SMS to its verified phone. Asked by
    e-mail: by e-mail to its address (in the account's language) and, when it has one, by SMS to its
    verified phone too: one code, on both channels, so an e-mail-only account can reset its password
    and an account with a phone keeps receiving its code by SMS. Always answers the same way: it
    never reveals an account. At most SMS_PER_WINDOW codes per phone, and per e-mail address, per
    window, however many requests arrive at once (atomic counters, reserved before anything is sent).
    A new code replaces the previous one."""
    user = _find(request, deps)
    if user is None:
        logger.info("password reset asked for an account that does not exist")
        return
    mail_to = user.email if request.email is not None and user.email else None
    if mail_to and not _reserve_sms(f"email:{mail_to.lower()}", "reset", deps):  # its own counter
        logger.info("password reset e-mail limit reached", extra={"user_id": user.id})
        mail_to = None
    phone = _reset_phone(user, deps)
    if mail_to is None and phone is None:
        return
    code = _code()
    deps.dal.put_reset(user.id, _code_hash(user.id, code), code_expires_at=clock.epoch() + RESET_CODE_SECONDS)
    if mail_to:
        _mail_reset_code(user, mail_to, code, deps)
    if phone:
        _text(phone, f"Your Soko code is {code}. It expires in 10 minutes. Never share it.", user.id, deps)


def _reset_phone(user: StoredUser, deps: Identity) -> str | None:
    """The verified phone a reset code may be texted to, its quota reserved; None if none may."""
    phone = user.verified_phone
    if phone is None:
        logger.info("password reset asked for an account that cannot receive an SMS")
        return None
    if not countries.served(phone, deps.config.sms_countries):
        logger.info("password reset asked for a phone of a country not served", extra={"user_id": user.id})
        return None
    if not _reserve_sms(phone, "reset", deps):
        logger.info("password reset SMS limit reached", extra={"user_id": user.id})
        return None
    return phone


def _mail_reset_code(user: StoredUser, to: str, code: str, deps: Identity) -> None:
    """Best effort, as for SMS: the code stays stored; the owner may ask again."""
    if deps.email is None:
        raise RuntimeError("no e-mail sender configured")
    mail = texts.reset_code_mail(code, user.language, user.full_name, RESET_CODE_SECONDS // 60)
    try:
        deps.email().send(to, mail.subject, mail.text)
    except Exception:
        logger.exception("sending a reset code by e-mail failed", extra={"user_id": user.id})


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
    deps.dal.set_password(
        user,
        passwords.hash_password(request.new_password),
        clock.now_iso(),
        [PasswordChanged(user_id=user.id)],
    )
    deps.dal.burn_reset(user.id)


# ---------------------------------------------------------------------------- profiles
def _user(user_id: str, deps: Identity) -> StoredUser:
    user = deps.dal.get_user(user_id)
    if user is None:
        raise UserNotFound("No such user.", details={"id": user_id})
    return user


def me(caller: Caller, deps: Identity) -> Account:
    return _user(caller.user_id, deps).account()


_PHONE_FIELDS = ("phone", "phone_verified", "pending_phone")


def _phone_changes(user: StoredUser, phone: str | None, deps: Identity) -> dict[str, object]:
    """What ``PUT /users/me {"phone"}`` changes: null clears the phone (and a pending one); the
    verified phone again changes nothing; another number becomes ``pending_phone`` until its code
    is verified, after its country and its SMS quota were checked."""
    if phone is None:
        return {"phone": None, "phone_verified": None, "pending_phone": None}
    if phone == user.verified_phone:
        return {"pending_phone": None}
    _served(phone, deps)
    if _taken_by_other(phone, user.id, deps):
        raise _phone_taken()
    if not _reserve_sms(phone, "verify", deps):
        raise _sms_limit(phone)
    return {"pending_phone": phone}


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
    send_to: str | None = None  # a code is due (its SMS quota is reserved): also when asked again
    if "phone" in changes:
        phone_changes = _phone_changes(user, changes.pop("phone"), deps)
        changes.update(phone_changes)
        send_to = phone_changes.get("pending_phone")  # type: ignore[assignment]
    changed = sorted(k for k, v in changes.items() if getattr(user, k) != v)
    if not changed:
        if send_to:
            _send_phone_code(user, send_to, deps)
        return user.account()
    new = user.model_copy(update={**changes, "version": user.version + 1, "updated_at": clock.now_iso()})
    public_changes = [k for k in changed if k not in _PHONE_FIELDS]
    if "phone" in changed:
        public_changes.append("phone")
    events = [_profile_updated(new, sorted(public_changes))] if public_changes else []
    deps.dal.replace_user(user, new, events)
    if send_to:
        _send_phone_code(new, send_to, deps)
    return new.account()


def _profile_updated(user: StoredUser, changed: list[str]) -> ProfileUpdated:
    return ProfileUpdated(
        user_id=user.id,
        role=user.role,
        district=user.district,
        specialties=user.specialties,
        interests=user.interests,
        language=user.language,
        changed=changed,
    )


def verify_phone(caller: Caller, request: PhoneVerifyRequest, deps: Identity) -> Account:
    """``POST /users/me/phone/verify``: the code sent to the pending phone makes it the account's
    phone. 5 tries per code; a phone another account verified meanwhile is a 409."""
    invalid = InvalidPhoneCode(
        "The code is wrong or has expired. Ask for a new one.", details={"field": "code"}
    )
    user = _user(caller.user_id, deps)
    if not user.pending_phone:
        raise NoPendingPhone("No phone number is waiting for a code. Set one with PUT /users/me.")
    stored = deps.dal.get_phone_code(user.id)
    if (
        not stored
        or not stored.get("code_hash")
        or stored.get("phone") != user.pending_phone
        or int(stored.get("code_expires_at", 0)) <= clock.epoch()
    ):
        raise invalid
    attempt = deps.dal.reserve_phone_code_attempt(user.id, PHONE_CODE_TRIES)  # counted before comparing
    if attempt is None:
        raise invalid
    expected = _code_hash(user.id, f"{user.pending_phone}:{request.code}")
    if not hmac.compare_digest(str(stored["code_hash"]), expected):
        if attempt >= PHONE_CODE_TRIES:
            deps.dal.burn_phone_code(user.id)
        raise invalid
    new = user.model_copy(
        update={
            "phone": user.pending_phone,
            "phone_verified": True,
            "pending_phone": None,
            "version": user.version + 1,
            "updated_at": clock.now_iso(),
        }
    )
    event = _profile_updated(new, ["phone"])
    deps.dal.replace_user(user, new, [event])
    deps.dal.burn_phone_code(user.id)
    return new.account()


# ---------------------------------------------------------------------------- admin: suspension
def _set_status(
    caller: Caller, user_id: str, request: AccountStatusChange, suspend: bool, deps: Identity
) -> Account:
    if not caller.is_admin:
        raise Forbidden("Only an admin can do this.", details={"role": caller.role})
    if user_id == caller.user_id:
        raise CannotSuspendSelf("You cannot suspend or reinstate your own account.")
    user = _user(user_id, deps)
    if user.role == "admin":
        raise CannotSuspendAdmin("An admin account cannot be suspended or reinstated here.")
    if user.suspended == suspend:
        raise StatusUnchanged(
            "The account is already suspended." if suspend else "The account is not suspended."
        )
    now = clock.now_iso()
    new = user.model_copy(
        update={
            "status": "suspended" if suspend else "active",
            "status_reason": request.reason,
            # a suspension ends every session: refresh families and access tokens carry the old version
            "token_version": user.token_version + (1 if suspend else 0),
            "version": user.version + 1,
            "updated_at": now,
        }
    )
    change_type = UserSuspended if suspend else UserReinstated
    events = [
        change_type(user_id=user.id, role=user.role, reason=request.reason, by=caller.user_id),
        AdminActionTaken(
            admin_id=caller.user_id,
            action="user.suspend" if suspend else "user.reinstate",
            target_type="user",
            target_id=user.id,
            reason=request.reason,
            at=now,
        ),
    ]
    deps.dal.set_status(user, new, events)
    logger.info(
        "account status changed", extra={"user_id": user.id, "status": new.status, "by": caller.user_id}
    )
    return new.account()


def suspend(caller: Caller, user_id: str, request: AccountStatusChange, deps: Identity) -> Account:
    return _set_status(caller, user_id, request, True, deps)


def reinstate(caller: Caller, user_id: str, request: AccountStatusChange, deps: Identity) -> Account:
    return _set_status(caller, user_id, request, False, deps)


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


def find_user(caller: Caller, email: str | None, phone: str | None, deps: Identity) -> Account:
    """An admin finds an account by its email or its verified phone (the keys sign-in uses: an exact
    match, never a scan); the whole account, with its status."""
    caller.require("admin")
    if (email is None) == (phone is None):
        raise Unprocessable(
            "Give exactly one of email or phone.",
            details={"fields": [{"field": "query.email", "message": "give exactly one of email or phone"}]},
        )
    if email is not None:
        user_id = deps.dal.user_id_by_email(email.strip().lower())
        user = deps.dal.get_user(user_id) if user_id else None
    else:
        try:
            normalized = phones.normalize(str(phone))
        except ValueError as err:
            raise Unprocessable(
                str(err), details={"fields": [{"field": "query.phone", "message": str(err)}]}
            ) from err
        user = _by_phone(normalized, deps)
    if user is None:
        raise UserNotFound("No account has that email or phone number.", details={})
    return user.account()
