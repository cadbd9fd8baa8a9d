"""Identity data access: the users table (the only module here that touches DynamoDB).

Access patterns (table ``pk``/``sk``, index ``gsi1``):

| pattern | key |
|---|---|
| account by id | ``USER#<id>`` / ``PROFILE`` |
| account by email (login; uniqueness) | ``EMAIL#<email lower>`` / ``EMAIL`` -> user id |
| account by phone (reset, USSD; uniqueness) | ``PHONE#<e164>`` / ``PHONE`` -> user id |
| farmers / buyers, by district | gsi1: ``DIR#<role>`` / ``<district lower>#<id>`` (one entry per role) |
| refresh-token family | ``REFRESH#<family id>`` / ``FAMILY`` (TTL) |
| login failures of an email | ``LOGINFAIL#<email lower>`` / ``WINDOW`` (TTL) |
| password-reset code of an account | ``USER#<id>`` / ``RESET`` (TTL) |
| outbox events | ``OUTBOX#<event id>`` / ``EVENT`` (TTL; see soko.shared.outbox) |

Uniqueness of email and phone is decided by conditional writes in the same transaction as the
account (never by reading first).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from soko.identity.models import DirectoryRole, StoredUser
from soko.shared import dynamo
from soko.shared.errors import Conflict
from soko.shared.events import EventDetail

DIRECTORY_KEYS = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})
_NO_DISTRICT = "~"  # sorts after every district name


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"


class PhoneTaken(Conflict):
    code = "PHONE_TAKEN"


class ConcurrentUpdate(Conflict):
    code = "CONCURRENT_UPDATE"


def _user_key(user_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": "PROFILE"}


def directory_entry(user: StoredUser, role: DirectoryRole) -> dict[str, Any]:
    district = (user.district or "").lower() or _NO_DISTRICT
    public = user.public().model_dump(by_alias=False)
    return {
        "pk": f"USER#{user.id}",
        "sk": f"DIR#{role}",
        "gsi1pk": f"DIR#{role}",
        "gsi1sk": f"{district}#{user.id}",
        **{k: v for k, v in public.items() if v not in (None, [])},
    }


def district_prefix(district: str) -> str:
    return f"{district.lower()}#"


class UsersDal(dynamo.TableDal):
    def _transact(self, items: list[dict[str, Any]], reasons: dict[int, Exception]) -> None:
        """Run a transaction; a failed condition at index i raises ``reasons[i]``."""
        codes = dynamo.transact(items)
        for index, code in enumerate(codes):
            if code == "ConditionalCheckFailed" and index in reasons:
                raise reasons[index]
        if codes:
            raise ConcurrentUpdate("The change could not be applied; try again.")

    # ------------------------------------------------------------------ accounts
    def create_user(self, user: StoredUser, events: Sequence[EventDetail]) -> None:
        email_taken = EmailTaken("An account with this email already exists.", details={"field": "email"})
        phone_taken = PhoneTaken(
            "An account with this phone number already exists.", details={"field": "phone"}
        )
        new = "attribute_not_exists(pk)"
        items = [self._put({**_user_key(user.id), **user.model_dump()}, new)]
        reasons: dict[int, Exception] = {}
        if user.email_lower:  # a phone-only (USSD) account has no email
            reasons[len(items)] = email_taken
            items.append(
                self._put({"pk": f"EMAIL#{user.email_lower}", "sk": "EMAIL", "user_id": user.id}, new)
            )
        if user.phone:
            reasons[len(items)] = phone_taken
            items.append(self._put({"pk": f"PHONE#{user.phone}", "sk": "PHONE", "user_id": user.id}, new))
        items += [self._put(directory_entry(user, role)) for role in user.directory_roles()]
        self._transact(items + self._outbox(events), reasons)

    def get_user(self, user_id: str) -> StoredUser | None:
        item = self._table.get_item(Key=_user_key(user_id), ConsistentRead=True).get("Item")
        return StoredUser.model_validate(dynamo.plain(item)) if item else None

    def _lookup(self, pk: str, sk: str) -> str | None:
        item = self._table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        return str(item["user_id"]) if item else None

    def user_id_by_email(self, email_lower: str) -> str | None:
        return self._lookup(f"EMAIL#{email_lower}", "EMAIL")

    def user_id_by_phone(self, phone: str) -> str | None:
        return self._lookup(f"PHONE#{phone}", "PHONE")

    def replace_user(self, old: StoredUser, new: StoredUser, events: Sequence[EventDetail]) -> None:
        """Write ``new`` over ``old`` if nobody changed it meanwhile (optimistic lock on ``version``),
        moving the phone guard and directory entries along with it."""
        changed = ConcurrentUpdate("Your account changed while you were editing it; reload and try again.")
        items = [self._put({**_user_key(new.id), **new.model_dump()}, "version = :v", v=old.version)]
        reasons: dict[int, Exception] = {0: changed}
        if old.phone != new.phone:
            if new.phone:
                reasons[len(items)] = PhoneTaken(
                    "An account with this phone number already exists.", details={"field": "phone"}
                )
                items.append(
                    self._put(
                        {"pk": f"PHONE#{new.phone}", "sk": "PHONE", "user_id": new.id},
                        "attribute_not_exists(pk)",
                    )
                )
            if old.phone:
                items.append(self._delete({"pk": f"PHONE#{old.phone}", "sk": "PHONE"}))
        items += [self._put(directory_entry(new, role)) for role in new.directory_roles()]
        self._transact(items + self._outbox(events), reasons)

    def list_directory(
        self, role: DirectoryRole, district: str | None, limit: int, cursor: str | None
    ) -> dynamo.Page:
        condition = "gsi1pk = :role"
        values: dict[str, str] = {":role": f"DIR#{role}"}
        if district:
            condition += " AND begins_with(gsi1sk, :district)"
            values[":district"] = district_prefix(district)
        return dynamo.query_page(
            self._table,
            scope=f"users:{role}:{(district or '').lower()}",
            key_names=DIRECTORY_KEYS,
            numeric_keys=frozenset(),  # every key of the users table is a string
            limit=limit,
            cursor_token=cursor,
            IndexName="gsi1",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
        )

    def set_rating(self, user_id: str, rating_sum: int, rating_count: int) -> bool:
        """Apply a farmer's rating totals to the profile and its directory entries in one
        transaction, if they are newer than the stored ones (the count only grows). False when
        the stored ones are as new or newer, or there is no such user."""
        user = self.get_user(user_id)
        if user is None or user.rating_count >= rating_count:
            return False
        rated = user.model_copy(update={"rating_sum": rating_sum, "rating_count": rating_count})
        update = self._update(
            _user_key(user_id),
            "SET rating_sum = :s, rating_count = :c",
            condition="rating_count < :c",
            values={":s": rating_sum, ":c": rating_count},
        )
        entries = [self._put(directory_entry(rated, role)) for role in rated.directory_roles()]
        try:
            self._transact([update, *entries], {0: ConcurrentUpdate("a newer rating landed first")})
        except ConcurrentUpdate:
            return False
        return True

    # ------------------------------------------------------------------ login failures
    def reserve_login_attempt(
        self, email_lower: str, now: int, window_seconds: int, limit: int
    ) -> int | None:
        """Count one sign-in attempt against the email's window before the password is checked
        (atomically, so parallel guesses cannot all slip past the limit). Returns None when the
        attempt is allowed, else the start of the window that is full."""
        key = {"pk": f"LOGINFAIL#{email_lower}", "sk": "WINDOW"}
        cutoff = now - window_seconds
        for _ in range(3):
            if self._update_if(
                key,
                "ADD failures :one",
                condition="window_start > :cutoff AND failures < :limit",
                values={":one": 1, ":cutoff": cutoff, ":limit": limit},
            ):
                return None
            current = self._get(key["pk"], key["sk"])
            if current and int(current["window_start"]) > cutoff:
                return int(current["window_start"])  # the window is full
            # No window, or an expired one: this attempt opens a new window (unless another
            # attempt opened it first: then count against that one).
            if self._put_if(
                {**key, "failures": 1, "window_start": now, "expires_at": now + window_seconds},
                "attribute_not_exists(pk) OR window_start <= :cutoff",
                cutoff=cutoff,
            ):
                return None
        return now

    def clear_login_failures(self, email_lower: str) -> None:
        self._table.delete_item(Key={"pk": f"LOGINFAIL#{email_lower}", "sk": "WINDOW"})

    # ------------------------------------------------------------------ refresh-token families
    def create_family(
        self, family_id: str, user_id: str, token_hash: str, token_version: int, expires_at: int
    ) -> None:
        self._table.put_item(
            Item={
                "pk": f"REFRESH#{family_id}",
                "sk": "FAMILY",
                "user_id": user_id,
                "current": token_hash,
                "previous": [],
                "token_version": token_version,
                "revoked": False,
                "expires_at": expires_at,
            },
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get_family(self, family_id: str) -> dict[str, Any] | None:
        return self._get(f"REFRESH#{family_id}", "FAMILY")

    def rotate_family(
        self,
        family_id: str,
        presented: str,
        replacement: str,
        *,
        previous: list[str],
        now: int,
        expires_at: int,
    ) -> bool:
        """Swap the family's current token hash (keeping ``previous``, the hashes already used), only
        if ``presented`` is still current."""
        return self._update_if(
            {"pk": f"REFRESH#{family_id}", "sk": "FAMILY"},
            "SET #current = :new, previous = :previous, expires_at = :exp",
            condition="#current = :presented AND revoked = :false AND expires_at > :now",
            names={"#current": "current"},
            values={
                ":new": replacement,
                ":presented": presented,
                ":previous": previous,
                ":false": False,
                ":now": now,
                ":exp": expires_at,
            },
        )

    def revoke_family(self, family_id: str) -> None:
        self._update_if(
            {"pk": f"REFRESH#{family_id}", "sk": "FAMILY"},
            "SET revoked = :true",
            condition="attribute_exists(pk)",
            values={":true": True},
        )

    # ------------------------------------------------------------------ password reset
    def get_reset(self, user_id: str) -> dict[str, Any] | None:
        return self._get(f"USER#{user_id}", "RESET")

    def put_reset(
        self,
        user_id: str,
        code_hash: str,
        *,
        code_expires_at: int,
        issued: int,
        window_start: int,
        window_seconds: int,
    ) -> None:
        """A new code. The item lives (TTL) as long as its hourly SMS window, not just the code."""
        self._table.put_item(
            Item={
                "pk": f"USER#{user_id}",
                "sk": "RESET",
                "code_hash": code_hash,
                "attempts": 0,
                "code_expires_at": code_expires_at,
                "issued": issued,
                "window_start": window_start,
                "expires_at": max(code_expires_at, window_start + window_seconds),
            }
        )

    def reserve_reset_attempt(self, user_id: str, limit: int) -> int | None:
        """Count one try of the code before it is compared (atomically: parallel guesses cannot
        exceed ``limit``). The try's number, or None when there is no code left to try."""
        return self._count_if(
            {"pk": f"USER#{user_id}", "sk": "RESET"},
            "attempts",
            condition="attribute_exists(code_hash) AND attempts < :limit",
            limit=limit,
        )

    def burn_reset(self, user_id: str) -> None:
        """Spend the code (keeping the issue counters, so SMS limits still hold)."""
        self._table.update_item(
            Key={"pk": f"USER#{user_id}", "sk": "RESET"},
            UpdateExpression="REMOVE code_hash",
        )

    def set_password(self, user: StoredUser, password_hash: str, now_iso: str) -> None:
        """New hash, and a new token version so every refresh family of the account dies."""
        if not self._update_if(
            _user_key(user.id),
            "SET password_hash = :h, token_version = :tv, version = :nv, updated_at = :now",
            condition="version = :v",
            values={
                ":h": password_hash,
                ":tv": user.token_version + 1,
                ":nv": user.version + 1,
                ":v": user.version,
                ":now": now_iso,
            },
        ):
            raise ConcurrentUpdate("The account changed at the same moment; try again.")
