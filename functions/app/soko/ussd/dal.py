"""USSD data access: sessions, once-only changes, PINs and language in the users table.

The users table already holds everything keyed by a person or their phone, and the USSD function
needs it anyway (accounts by phone, registration), so the USSD items live there under their own
prefixes rather than in a table of their own.

| pattern | key |
|---|---|
| a USSD session (phone, input history hash, state, screen) | ``USSD#<session id>`` / ``SESSION`` (TTL) |
| the change made by input n of a session (done once) | ``USSD#<session id>`` / ``ACTION#<n>`` (TTL) |

A session item lets a retry of the same history get the screen already shown, and the next input
step on from the stored state instead of replaying the history; it never holds the inputs.
| an account's USSD PIN (argon2id hash), its wrong tries and lock | ``USER#<id>`` / ``PIN`` |
| the language of a phone that has no account | ``USSDPHONE#<e164>`` / ``PREFS`` |

Accounts themselves (``USER#<id>`` / ``PROFILE``, ``PHONE#<e164>``) belong to identity's dal.
"""

from __future__ import annotations

from typing import Any

from soko.shared import dynamo


class UssdDal(dynamo.TableDal):
    # ------------------------------------------------------------------ sessions
    def get_session(self, session_id: str) -> dict[str, Any] | None:
        return self._get(f"USSD#{session_id}", "SESSION")

    def put_session(self, session_id: str, record: dict[str, Any], expires_at: int) -> None:
        self._table.put_item(
            Item={"pk": f"USSD#{session_id}", "sk": "SESSION", **record, "expires_at": expires_at}
        )

    # ------------------------------------------------------------------ once-only changes
    def claim_action(self, session_id: str, step: int, expires_at: int) -> str | None:
        """Claim the change of input ``step``: None when this call is the first (go ahead), else
        the outcome recorded by the first ("pending" while it is still running)."""
        pk, sk = f"USSD#{session_id}", f"ACTION#{step}"
        item = {"pk": pk, "sk": sk, "outcome": "pending", "expires_at": expires_at}
        if self._put_if(item, "attribute_not_exists(pk)"):
            return None
        return str((self._get(pk, sk) or {}).get("outcome", "pending"))

    def finish_action(self, session_id: str, step: int, outcome: str) -> None:
        self._table.update_item(
            Key={"pk": f"USSD#{session_id}", "sk": f"ACTION#{step}"},
            UpdateExpression="SET outcome = :o",
            ExpressionAttributeValues={":o": outcome},
        )

    def release_action(self, session_id: str, step: int) -> None:
        """Forget a claim whose change failed, so a retry may try again."""
        self._table.delete_item(Key={"pk": f"USSD#{session_id}", "sk": f"ACTION#{step}"})

    # ------------------------------------------------------------------ PINs
    def get_pin(self, user_id: str) -> dict[str, Any] | None:
        return self._get(f"USER#{user_id}", "PIN")

    def put_pin(self, user_id: str, pin_hash: str, now_iso: str) -> None:
        self._table.put_item(
            Item={
                "pk": f"USER#{user_id}",
                "sk": "PIN",
                "pin_hash": pin_hash,
                "failures": 0,
                "locked_until": 0,
                "updated_at": now_iso,
            }
        )

    def reserve_pin_try(self, user_id: str, now: int) -> int | None:
        """Count one try before the PIN is compared (parallel guesses cannot slip past the limit).
        The try's number, or None while the PIN is locked (or there is none)."""
        return self._count_if(
            {"pk": f"USER#{user_id}", "sk": "PIN"},
            "failures",
            condition="attribute_exists(pin_hash) AND locked_until <= :now",
            now=now,
        )

    def reset_pin_tries(self, user_id: str) -> None:
        self._table.update_item(
            Key={"pk": f"USER#{user_id}", "sk": "PIN"},
            UpdateExpression="SET failures = :zero",
            ExpressionAttributeValues={":zero": 0},
        )

    def lock_pin(self, user_id: str, until: int) -> None:
        self._table.update_item(
            Key={"pk": f"USER#{user_id}", "sk": "PIN"},
            UpdateExpression="SET failures = :zero, locked_until = :until",
            ExpressionAttributeValues={":zero": 0, ":until": until},
        )

    # ------------------------------------------------------------------ language of a phone without account
    def get_language(self, phone: str) -> str | None:
        item = self._table.get_item(Key={"pk": f"USSDPHONE#{phone}", "sk": "PREFS"}).get("Item")
        return str(item["language"]) if item else None

    def put_language(self, phone: str, language: str) -> None:
        self._table.put_item(Item={"pk": f"USSDPHONE#{phone}", "sk": "PREFS", "language": language})
