"""Africa's Talking SMS (POST {base}/version1/messaging; see docs/providers.md#africas-talking-sms).

Recipients with status 100 (Processed), 101 (Sent) or 102 (Queued) were accepted; anything else
(403 InvalidPhoneNumber, 405 InsufficientBalance, ...) is a failure for that number. Africa's
Talking has no idempotency key on send: callers deduplicate on their side.
"""

from __future__ import annotations

from dataclasses import dataclass

from soko.providers.http import ProviderError, request, secret_json

ACCEPTED = {100, 101, 102}


class SmsError(ProviderError):
    pass


@dataclass(frozen=True)
class Recipient:
    number: str
    status_code: int
    status: str
    message_id: str | None
    cost: str | None

    @property
    def accepted(self) -> bool:
        return self.status_code in ACCEPTED


@dataclass(frozen=True)
class Credentials:
    username: str
    api_key: str

    @classmethod
    def from_secret(cls, secret: str) -> Credentials:
        data = secret_json(secret, "Africa's Talking", ("username", "api_key"), SmsError)
        return cls(username=str(data["username"]), api_key=str(data["api_key"]))


class AfricasTalkingSms:
    def __init__(self, base_url: str, credentials: Credentials, *, sender_id: str = "", timeout: float = 5.0):
        self._url = base_url.rstrip("/") + "/version1/messaging"
        self._credentials = credentials
        self._sender_id = sender_id
        self._timeout = timeout

    def send_many(self, to: list[str], message: str) -> list[Recipient]:
        form = {"username": self._credentials.username, "to": ",".join(to), "message": message}
        if self._sender_id:
            form["from"] = self._sender_id
        response = request(
            "POST", self._url, headers={"apiKey": self._credentials.api_key}, form=form, timeout=self._timeout
        )
        if response.status >= 400:
            raise SmsError(f"Africa's Talking answered HTTP {response.status}")
        recipients = response.json().get("SMSMessageData", {}).get("Recipients", [])
        return [
            Recipient(
                number=str(r.get("number", "")),
                status_code=int(r.get("statusCode", 0)),
                status=str(r.get("status", "")),
                message_id=r.get("messageId"),
                cost=r.get("cost"),
            )
            for r in recipients
        ]

    def send_one(self, to: str, message: str) -> str:
        """Send to one number; the provider's message id (delivery reports name it)."""
        recipients = self.send_many([to], message)
        if not recipients or not all(r.accepted for r in recipients):
            statuses = ", ".join(f"{r.status_code} {r.status}" for r in recipients) or "no recipients"
            raise SmsError(f"the SMS was not accepted: {statuses}")
        return recipients[0].message_id or ""
