"""Identity's rules for suspension, verified phones and SMS quotas, against an in-memory users store
(the data access's conditional writes are the functional suite's)."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest

from soko.identity import logic
from soko.identity.dal import PhoneTaken, UsersDal
from soko.identity.events import AdminActionTaken, UserReinstated, UserSuspended
from soko.identity.models import (
    AccountStatusChange,
    ForgotRequest,
    IdentityConfig,
    PhoneVerifyRequest,
    ProfileUpdate,
    StoredUser,
)
from soko.shared.errors import Forbidden
from soko.shared.identity import Caller

NOW = "2026-11-21T09:30:00Z"


class FakeUsers:
    def __init__(self) -> None:
        self.users: dict[str, StoredUser] = {}
        self.phones: dict[str, str] = {}
        self.events: list[Any] = []
        self.codes: dict[str, dict[str, Any]] = {}
        self.resets: dict[str, str] = {}
        self.sms_counts: dict[tuple[str, str], int] = {}

    def add(self, user: StoredUser) -> StoredUser:
        self.users[user.id] = user
        if user.verified_phone:
            self.phones[user.verified_phone] = user.id
        return user

    def get_user(self, user_id: str) -> StoredUser | None:
        return self.users.get(user_id)

    def user_id_by_phone(self, phone: str) -> str | None:
        return self.phones.get(phone)

    def user_id_by_email(self, email: str) -> str | None:
        return next((u.id for u in self.users.values() if u.email_lower == email), None)

    def set_status(self, old: StoredUser, new: StoredUser, events: list[Any]) -> None:
        self.users[new.id] = new
        self.events += events

    def replace_user(self, old: StoredUser, new: StoredUser, events: list[Any]) -> None:
        if new.verified_phone and self.phones.get(new.verified_phone, new.id) != new.id:
            raise PhoneTaken("taken")
        if old.phone and old.phone != new.phone:
            self.phones.pop(old.phone, None)
        if new.verified_phone:
            self.phones[new.verified_phone] = new.id
        self.users[new.id] = new
        self.events += events

    def reserve_sms(self, phone: str, purpose: str, now: int, window: int, limit: int) -> bool:
        count = self.sms_counts.get((phone, purpose), 0)
        if count >= limit:
            return False
        self.sms_counts[(phone, purpose)] = count + 1
        return True

    def put_phone_code(self, user_id: str, phone: str, code_hash: str, *, code_expires_at: int) -> None:
        self.codes[user_id] = {
            "phone": phone,
            "code_hash": code_hash,
            "attempts": 0,
            "code_expires_at": code_expires_at,
        }

    def get_phone_code(self, user_id: str) -> dict[str, Any] | None:
        return self.codes.get(user_id)

    def reserve_phone_code_attempt(self, user_id: str, limit: int) -> int | None:
        code = self.codes.get(user_id)
        if not code or code["attempts"] >= limit:
            return None
        code["attempts"] += 1
        return int(code["attempts"])

    def burn_phone_code(self, user_id: str) -> None:
        self.codes.pop(user_id, None)

    def put_reset(self, user_id: str, code_hash: str, *, code_expires_at: int) -> None:
        self.resets[user_id] = code_hash


class FakeSms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_one(self, to: str, message: str) -> None:
        self.sent.append((to, message))


class FakeMail:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, text: str, html: Any = None, attachments: Any = None) -> str:
        self.sent.append((to, subject, text))
        return f"m{len(self.sent)}"


@pytest.fixture
def mail() -> FakeMail:
    return FakeMail()


@pytest.fixture
def store() -> FakeUsers:
    return FakeUsers()


@pytest.fixture
def sms() -> FakeSms:
    return FakeSms()


@pytest.fixture
def deps(store: FakeUsers, sms: FakeSms, mail: FakeMail) -> logic.Identity:
    return logic.Identity(
        config=IdentityConfig(users_table_name="users"),
        dal=cast(UsersDal, store),
        signing_secret=lambda: "s" * 64,
        sms=lambda: sms,  # type: ignore[arg-type, return-value]
        email=lambda: mail,
    )


def account(store: FakeUsers, user_id: str, role: str = "farmer", **fields: Any) -> StoredUser:
    return store.add(
        StoredUser.model_validate(
            {
                "id": user_id,
                "role": role,
                "email": f"{user_id}@example.com",
                "email_lower": f"{user_id}@example.com",
                "created_at": NOW,
                "updated_at": NOW,
                **fields,
            }
        )
    )


ADMIN = Caller(user_id="adm", role="admin", email="adm@example.com")
REASON = AccountStatusChange(reason="fraud reported")


def test_suspension_raises_the_token_version_and_records_the_admins_action(store, deps) -> None:
    account(store, "u1", token_version=3)

    result = logic.suspend(ADMIN, "u1", REASON, deps)

    stored = store.users["u1"]
    assert (result.status, stored.status, stored.token_version, stored.status_reason) == (
        "suspended",
        "suspended",
        4,
        "fraud reported",
    )
    suspended, action = store.events
    assert isinstance(suspended, UserSuspended) and (suspended.by, suspended.reason) == (
        "adm",
        "fraud reported",
    )
    assert isinstance(action, AdminActionTaken)
    assert (action.action, action.target_type, action.target_id) == ("user.suspend", "user", "u1")

    logic.reinstate(ADMIN, "u1", AccountStatusChange(reason="cleared"), deps)

    assert store.users["u1"].status == "active" and store.users["u1"].token_version == 4
    assert isinstance(store.events[2], UserReinstated) and store.events[3].action == "user.reinstate"


@pytest.mark.parametrize(
    ("caller", "target", "error"),
    [
        (Caller(user_id="u2", role="buyer", email=""), "u1", logic.Forbidden),
        (Caller(user_id="u2", role="both", email=""), "u1", logic.Forbidden),
        (ADMIN, "adm", logic.CannotSuspendSelf),
        (ADMIN, "adm2", logic.CannotSuspendAdmin),
        (ADMIN, "nobody", logic.UserNotFound),
    ],
)
def test_who_may_suspend_whom(store, deps, caller, target, error) -> None:
    account(store, "u1")
    account(store, "adm", role="admin")
    account(store, "adm2", role="admin")

    with pytest.raises(error):
        logic.suspend(caller, target, REASON, deps)
    assert store.events == []
    assert issubclass(logic.CannotSuspendAdmin, Forbidden)


def test_a_suspended_account_cannot_refresh_or_sign_in_but_the_password_is_checked_first(store, deps) -> None:
    from soko.identity import passwords  # noqa: PLC0415
    from soko.identity.models import LoginRequest  # noqa: PLC0415

    class Logins(FakeUsers):
        def reserve_login_attempt(self, *args: Any) -> None:
            return None

        def clear_login_failures(self, key: str) -> None:
            pass

    logins = Logins()
    deps.dal = cast(UsersDal, logins)
    account(logins, "u1", password_hash=passwords.hash_password("Mango-harvest-77"), status="suspended")

    with pytest.raises(logic.AccountSuspended):
        logic.login(LoginRequest(email="u1@example.com", password="Mango-harvest-77"), deps)
    with pytest.raises(logic.InvalidCredentials):
        logic.login(LoginRequest(email="u1@example.com", password="Mango-harvest-78"), deps)


def test_a_new_phone_is_pending_until_its_code_and_texts_only_served_countries(store, deps, sms) -> None:
    user = account(store, "u1")
    caller = Caller(user_id="u1", role="farmer", email="")

    pending = logic.update_me(caller, ProfileUpdate(phone="0772123456"), deps)

    assert (pending.phone, pending.pending_phone, pending.phone_verified) == (None, "+256772123456", False)
    assert store.phones == {}
    [(to, message)] = sms.sent
    code = re.findall(r"confirm this phone is (\d{6})", message)[0]
    assert to == "+256772123456" and code not in str(store.codes)
    with pytest.raises(logic.PhoneNotServed):
        logic.update_me(caller, ProfileUpdate(phone="+254712345678"), deps)
    assert len(sms.sent) == 1

    verified = logic.verify_phone(caller, PhoneVerifyRequest(code=code), deps)

    assert (verified.phone, verified.phone_verified, verified.pending_phone) == ("+256772123456", True, None)
    assert store.phones == {"+256772123456": user.id}
    assert store.codes == {}


def test_a_phone_another_account_verified_is_refused_before_any_sms(store, deps, sms) -> None:
    account(store, "owner", phone="+256772123456", phone_verified=True)
    account(store, "u1")

    with pytest.raises(PhoneTaken):
        logic.update_me(
            Caller(user_id="u1", role="farmer", email=""), ProfileUpdate(phone="+256772123456"), deps
        )
    assert sms.sent == [] and store.users["u1"].pending_phone is None


def test_the_fourth_code_to_a_phone_is_429_and_nothing_is_saved(store, deps, sms) -> None:
    account(store, "u1")
    caller = Caller(user_id="u1", role="farmer", email="")
    for _ in range(3):
        logic.update_me(caller, ProfileUpdate(phone="+256772123456"), deps)

    with pytest.raises(logic.SmsLimitReached) as refused:
        logic.update_me(caller, ProfileUpdate(phone="+256772123456", district="Gulu"), deps)

    assert refused.value.retry_after_seconds > 0
    assert len(sms.sent) == 3 and store.users["u1"].district is None


def test_forgot_texts_only_a_verified_phone_and_counts_each_code(store, deps, sms, mail) -> None:
    account(store, "legacy", phone="+256772000001")  # an app account's phone from before verification
    account(store, "pending", pending_phone="+256772000002")
    account(store, "ok", phone="+256772000003", phone_verified=True)

    for who in ("legacy@example.com", "pending@example.com"):
        logic.forgot(ForgotRequest(email=who), deps)
    for _ in range(5):
        logic.forgot(ForgotRequest(phone="+256772000003"), deps)

    assert [to for to, _ in sms.sent] == ["+256772000003"] * 3
    # asked by e-mail, the code goes by e-mail (its own counter), never to an unverified phone
    assert [to for to, _, _ in mail.sent] == ["legacy@example.com", "pending@example.com"]
    assert store.sms_counts == {
        ("+256772000003", "reset"): 3,
        ("email:legacy@example.com", "reset"): 1,
        ("email:pending@example.com", "reset"): 1,
    }
