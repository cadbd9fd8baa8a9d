"""Identity data access: the users table (the only module here that touches DynamoDB).

Access patterns (table ``pk``/``sk``, index ``gsi1``):

| pattern | key |
|---|---|
| account by id | ``USER#<id>`` / ``PROFILE`` |
| account by email (login; uniqueness) | ``EMAIL#<email lower>`` / ``EMAIL`` -> user id |
| account by verified phone (reset, USSD; uniqueness) | ``PHONE#<e164>`` / ``PHONE`` -> user id |
| farmers / buyers, by district | gsi1: ``DIR#<role>`` / ``<district lower>#<id>`` (one entry per role) |
| refresh-token family | ``REFRESH#<family id>`` / ``FAMILY`` (TTL) |
| login failures of an email | ``LOGINFAIL#<email lower>`` / ``WINDOW`` (TTL) |
| password-reset code of an account | ``USER#<id>`` / ``RESET`` (TTL) |
| phone-verification code of an account | ``USER#<id>`` / ``PHONECODE`` (TTL) |
| SMS codes sent to a phone in a window | ``SMSQUOTA#<e164>`` / ``<purpose>#<window start>`` (TTL) |
| outbox events | ``OUTBOX#<event id>`` / ``EVENT`` (TTL; see soko.shared.outbox) |

Uniqueness of email and phone is decided by conditional writes in the same transaction as the
account (never by reading first). Only a verified phone has a ``PHONE#`` item: a phone waiting for
its code is ``pending_phone`` on the profile and names nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from soko.identity.models import DirectoryRole, StoredUser
from soko.shared import aws, dynamo
from soko.shared.errors import Conflict, DependencyUnavailable
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


def _listed_roles(user: StoredUser) -> list[DirectoryRole]:
    """The directories the user appears in: none while suspended."""
    return [] if user.suspended else user.directory_roles()


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
        if user.verified_phone:
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
        moving the phone guard (verified phones only) and directory entries along with it."""
        changed = ConcurrentUpdate("Your account changed while you were editing it; reload and try again.")
        items = [self._put({**_user_key(new.id), **new.model_dump()}, "version = :v", v=old.version)]
        reasons: dict[int, Exception] = {0: changed}
        mine = "attribute_not_exists(pk) OR user_id = :me"
        if new.verified_phone and new.verified_phone != old.verified_phone:
            reasons[len(items)] = PhoneTaken(
                "Another account has already verified this phone number.", details={"field": "phone"}
            )
            items.append(
                self._put({"pk": f"PHONE#{new.phone}", "sk": "PHONE", "user_id": new.id}, mine, me=new.id)
            )
        if old.phone and old.phone != new.phone:
            # the old number's guard (also one an unverified phone held before phones were verified)
            items.append(
                self._delete(
                    {"pk": f"PHONE#{old.phone}", "sk": "PHONE"},
                    ConditionExpression=mine,
                    ExpressionAttributeValues=dynamo.serialize({":me": new.id}),
                )
            )
        items += [self._put(directory_entry(new, role)) for role in _listed_roles(new)]
        self._transact(items + self._outbox(events), reasons)

    def set_status(self, old: StoredUser, new: StoredUser, events: Sequence[EventDetail]) -> None:
        """Suspend or reinstate: the profile (its status and token version), its directory entries
        (a suspended user is not listed) and the admin's events in one transaction, if nobody
        changed the account meanwhile."""
        changed = ConcurrentUpdate("The account changed at the same moment; try again.")
        items = [self._put({**_user_key(new.id), **new.model_dump()}, "version = :v", v=old.version)]
        for role in new.directory_roles():
            entry = directory_entry(new, role)
            if new.suspended:
                items.append(self._delete({"pk": entry["pk"], "sk": entry["sk"]}))
            else:
                items.append(self._put(entry))
        self._transact(items + self._outbox(events), {0: changed})

    def session_state(self, user_id: str, session_id: str | None) -> dict[str, Any]:
        """What the authorizer checks, in one strongly consistent ``BatchGetItem`` (a session
        created a moment ago by a sign-in is found; 2 read units): the account's ``token_version``
        and ``status`` (None when there is no such account) and whether the session was revoked."""
        keys = [_user_key(user_id)]
        if session_id:
            keys.append({"pk": f"REFRESH#{session_id}", "sk": "FAMILY"})
        request = {
            self.table_name: {
                "Keys": keys,
                "ProjectionExpression": "pk, sk, user_id, token_version, #status, revoked",
                "ExpressionAttributeNames": {"#status": "status"},
                "ConsistentRead": True,
            }
        }
        found: list[dict[str, Any]] = []
        for _ in range(3):  # unprocessed keys (throttling) are asked again
            response = aws.resource("dynamodb").batch_get_item(RequestItems=request)
            found += response.get("Responses", {}).get(self.table_name, [])
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise DependencyUnavailable("The account could not be read; please retry shortly.")
        profile = next((i for i in found if i["sk"] == "PROFILE"), None)
        family = next((i for i in found if i["sk"] == "FAMILY"), None)
        return {
            "token_version": int(profile.get("token_version", 0)) if profile else None,
            "status": str(profile.get("status", "active")) if profile else None,
            "session_revoked": bool(session_id)
            and (family is None or bool(family.get("revoked")) or str(family.get("user_id")) != user_id),
        }

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
        entries = [self._put(directory_entry(rated, role)) for role in _listed_roles(rated)]
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

    def end_session(self, family_id: str, events: Sequence[EventDetail]) -> bool:
        """Revoke the family and write ``events`` (SignedOut) in one transaction; False when it
        was already revoked (nothing written: logging out twice publishes once)."""
        revoke = self._update(
            {"pk": f"REFRESH#{family_id}", "sk": "FAMILY"},
            "SET revoked = :true",
            condition="attribute_exists(pk) AND revoked = :false",
            values={":true": True, ":false": False},
        )
        try:
            self._transact([revoke, *self._outbox(events)], {0: ConcurrentUpdate("already revoked")})
        except ConcurrentUpdate:
            return False
        return True

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

    def put_reset(self, user_id: str, code_hash: str, *, code_expires_at: int) -> None:
        """A new code (replacing any earlier one); the item lives (TTL) as long as the code."""
        self._table.put_item(
            Item={
                "pk": f"USER#{user_id}",
                "sk": "RESET",
                "code_hash": code_hash,
                "attempts": 0,
                "code_expires_at": code_expires_at,
                "expires_at": code_expires_at,
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

    def set_password(
        self, user: StoredUser, password_hash: str, now_iso: str, events: Sequence[EventDetail]
    ) -> None:
        """New hash, and a new token version so every refresh family and access token of the account
        dies; ``events`` (PasswordChanged) in the same transaction."""
        update = self._update(
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
        )
        changed = ConcurrentUpdate("The account changed at the same moment; try again.")
        self._transact([update, *self._outbox(events)], {0: changed})

    # ------------------------------------------------------------------ SMS quotas
    def reserve_sms(self, phone: str, purpose: str, now: int, window_seconds: int, limit: int) -> bool:
        """Count one SMS to ``phone`` for ``purpose`` against its window (which opens with the first
        SMS and lasts ``window_seconds``), if fewer than ``limit`` were counted in it. Only
        conditional writes on one counter per phone and purpose (never read-then-write), so parallel
        requests cannot all pass. False when the window is full."""
        key = {"pk": f"SMSQUOTA#{phone}", "sk": purpose}
        cutoff = now - window_seconds
        for _ in range(3):
            if self._update_if(
                key,
                "ADD sent :one",
                condition="window_start > :cutoff AND sent < :limit",
                values={":one": 1, ":cutoff": cutoff, ":limit": limit},
            ):
                return True
            # No window, an expired one, or a full one: a new window opens only when there is no
            # live one (of two openers, one wins; the other counts against its window).
            if self._put_if(
                {**key, "sent": 1, "window_start": now, "expires_at": now + window_seconds},
                "attribute_not_exists(pk) OR window_start <= :cutoff",
                cutoff=cutoff,
            ):
                return True
            current = self._get(key["pk"], key["sk"])
            if current and int(current["window_start"]) > cutoff and int(current["sent"]) >= limit:
                return False
        return False

    # ------------------------------------------------------------------ phone verification
    def put_phone_code(self, user_id: str, phone: str, code_hash: str, *, code_expires_at: int) -> None:
        """A new verification code for ``phone`` (replacing any earlier one; TTL: the code's)."""
        self._table.put_item(
            Item={
                "pk": f"USER#{user_id}",
                "sk": "PHONECODE",
                "phone": phone,
                "code_hash": code_hash,
                "attempts": 0,
                "code_expires_at": code_expires_at,
                "expires_at": code_expires_at,
            }
        )

    def get_phone_code(self, user_id: str) -> dict[str, Any] | None:
        return self._get(f"USER#{user_id}", "PHONECODE")

    def reserve_phone_code_attempt(self, user_id: str, limit: int) -> int | None:
        """Count one try before the code is compared (atomically); None when no try is left."""
        return self._count_if(
            {"pk": f"USER#{user_id}", "sk": "PHONECODE"},
            "attempts",
            condition="attribute_exists(code_hash) AND attempts < :limit",
            limit=limit,
        )

    def burn_phone_code(self, user_id: str) -> None:
        self._table.delete_item(Key={"pk": f"USER#{user_id}", "sk": "PHONECODE"})
