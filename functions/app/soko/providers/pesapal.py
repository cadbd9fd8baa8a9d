"""PesaPal API 3.0 (see docs/providers.md#pesapal-30): token, IPN registration, SubmitOrderRequest,
GetTransactionStatus and RefundRequest.

The token (about 5 minutes) and the registered IPN id are cached per process, keyed by base URL
and consumer key. An IPN carries no status and no signature: callers always read the status back
with :meth:`PesaPal.status`. ``status_code`` 0 (INVALID, "payment details not found") is not
final: it reads as pending.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from soko.providers.http import ProviderResponse, request, secret_json
from soko.providers.payments import (
    Payer,
    PaymentProviderError,
    ProviderStatus,
    RefundAnswer,
    State,
    Submitted,
)

STATES: dict[int, State] = {0: "pending", 1: "completed", 2: "failed", 3: "reversed"}
_TOKEN_MARGIN_SECONDS = 30.0
_DEFAULT_TOKEN_SECONDS = 240.0
_lock = threading.Lock()
_tokens: dict[tuple[str, str], tuple[str, float]] = {}  # (base, key) -> (token, monotonic expiry)
_ipn_ids: dict[tuple[str, str, str], str] = {}  # (base, key, url) -> ipn id


@dataclass(frozen=True)
class PesapalCredentials:
    consumer_key: str
    consumer_secret: str
    username: str = ""  # RefundRequest's `username`

    @classmethod
    def from_secret(cls, secret: str) -> PesapalCredentials:
        data = secret_json(secret, "PesaPal", ("consumer_key", "consumer_secret"), PaymentProviderError)
        return cls(
            consumer_key=str(data["consumer_key"]),
            consumer_secret=str(data["consumer_secret"]),
            username=str(data.get("username", "")),
        )


def _seconds_left(expiry: Any) -> float:
    try:
        moment = datetime.fromisoformat(str(expiry).replace("Z", "+00:00"))
    except ValueError:
        return _DEFAULT_TOKEN_SECONDS
    if moment.tzinfo is None:
        return _DEFAULT_TOKEN_SECONDS  # PesaPal's expiryDate has no zone: do not guess, use the default
    return max(0.0, moment.timestamp() - time.time())


def clear_cache() -> None:
    with _lock:
        _tokens.clear()
        _ipn_ids.clear()


class PesaPal:
    name = "pesapal"

    def __init__(
        self,
        base_url: str,
        credentials: PesapalCredentials,
        *,
        ipn_url: str = "",
        ipn_id: str = "",
        callback_url: str = "",
        timeout: float = 10.0,
    ):
        self._base = base_url.rstrip("/")
        self._credentials = credentials
        self._ipn_url = ipn_url
        self._ipn_id = ipn_id
        self._callback_url = callback_url or ipn_url
        self._timeout = timeout

    # ------------------------------------------------------------------ plumbing
    def _token(self) -> str:
        key = (self._base, self._credentials.consumer_key)
        with _lock:
            cached = _tokens.get(key)
            if cached and cached[1] > time.monotonic():
                return cached[0]
        response = request(
            "POST",
            f"{self._base}/api/Auth/RequestToken",
            json_body={
                "consumer_key": self._credentials.consumer_key,
                "consumer_secret": self._credentials.consumer_secret,
            },
            timeout=self._timeout,
        )
        body = self._body(response, "RequestToken")
        token = str(body.get("token") or "")
        if not token:
            raise PaymentProviderError("PesaPal gave no token")
        lifetime = max(0.0, _seconds_left(body.get("expiryDate")) - _TOKEN_MARGIN_SECONDS)
        with _lock:
            _tokens[key] = (token, time.monotonic() + lifetime)
        return token

    @staticmethod
    def _body(
        response: ProviderResponse, operation: str, tolerate: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """The answer's JSON object; an HTTP or PesaPal error (other than one of ``tolerate``) raises."""
        body = response.json() if response.body else {}
        if not isinstance(body, dict):
            raise PaymentProviderError(f"PesaPal {operation} answered with a body that is not an object")
        error = body.get("error")
        tolerated = isinstance(error, dict) and str(error.get("code", "")).lower() in tolerate
        if response.status >= 400 or (isinstance(error, dict) and error.get("code") and not tolerated):
            code = error.get("code", "") if isinstance(error, dict) else ""
            raise PaymentProviderError(f"PesaPal {operation} failed: HTTP {response.status} {code}".strip())
        return body

    def _call(
        self, method: str, path: str, operation: str, body: Any = None, tolerate: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        response = request(
            method,
            f"{self._base}{path}",
            headers={"Authorization": f"Bearer {self._token()}"},
            json_body=body,
            timeout=self._timeout,
        )
        return self._body(response, operation, tolerate)

    def notification_id(self) -> str:
        """The IPN id orders name: configured, or our IPN URL registered once per process."""
        if self._ipn_id:
            return self._ipn_id
        if not self._ipn_url:
            raise PaymentProviderError("neither a PesaPal IPN id nor an IPN URL is configured")
        key = (self._base, self._credentials.consumer_key, self._ipn_url)
        with _lock:
            if key in _ipn_ids:
                return _ipn_ids[key]
        body = self._call(
            "POST",
            "/api/URLSetup/RegisterIPN",
            "RegisterIPN",
            {"url": self._ipn_url, "ipn_notification_type": "GET"},
        )
        ipn_id = str(body.get("ipn_id") or "")
        if not ipn_id:
            raise PaymentProviderError("PesaPal RegisterIPN gave no ipn_id")
        with _lock:
            _ipn_ids[key] = ipn_id
        return ipn_id

    # ------------------------------------------------------------------ the interface
    def submit(
        self, *, reference: str, amount: int, currency: str, description: str, payer: Payer
    ) -> Submitted:
        body = self._call(
            "POST",
            "/api/Transactions/SubmitOrderRequest",
            "SubmitOrderRequest",
            {
                "id": reference[:50],
                "currency": currency,
                "amount": amount,
                "description": description[:100],
                "callback_url": self._callback_url,
                "notification_id": self.notification_id(),
                "billing_address": {
                    "email_address": payer.email,
                    "phone_number": payer.phone,
                    "country_code": "UG",
                    "first_name": payer.first_name,
                    "last_name": payer.last_name,
                },
            },
        )
        tracking_id = str(body.get("order_tracking_id") or "")
        if not tracking_id:
            raise PaymentProviderError("PesaPal SubmitOrderRequest gave no order_tracking_id")
        return Submitted(tracking_id=tracking_id, redirect_url=str(body.get("redirect_url") or ""))

    def status(self, tracking_id: str) -> ProviderStatus:
        body = self._call(
            "GET",
            f"/api/Transactions/GetTransactionStatus?orderTrackingId={quote(tracking_id, safe='')}",
            "GetTransactionStatus",
            # Status 0 with "payment details not found" is PesaPal's usual answer while the payer has
            # not confirmed yet: pending, not an error (docs/providers.md#pesapal-30).
            tolerate=frozenset({"payment_details_not_found"}),
        )
        try:
            code = int(body.get("status_code") or 0)
        except (TypeError, ValueError):
            code = 0
        amount = _whole_shillings(body.get("amount"))
        return ProviderStatus(
            state=STATES.get(code, "pending"),
            amount=amount,
            currency=str(body.get("currency") or ""),
            reference=str(body.get("merchant_reference") or ""),
            confirmation_code=str(body.get("confirmation_code") or ""),
            description=str(body.get("payment_status_description") or ""),
        )

    def reference_id(self, reference: str) -> str:
        return ""  # PesaPal assigns the order_tracking_id

    def refund(
        self, *, confirmation_code: str, tracking_id: str, amount: int, full: bool, remarks: str
    ) -> RefundAnswer:
        """RefundRequest. PesaPal takes one refund per payment, so its own refusal of a second one is
        the call's idempotency: a refund whose earlier call reached PesaPal (the answer was lost) is
        answered "already requested" and read as ``duplicate``. Mobile-money refunds are in full
        only: a partial one is ``refused`` (cards may be refunded in part)."""
        body = self._call(
            "POST",
            "/api/Transactions/RefundRequest",
            "RefundRequest",
            {
                "confirmation_code": confirmation_code,
                "amount": amount,
                "username": self._credentials.username,
                "remarks": remarks[:100],
            },
        )
        message = str(body.get("message") or "")[:200]
        if str(body.get("status", "")) == "200":
            return RefundAnswer("accepted", message)
        if "already" in message.lower():
            return RefundAnswer("duplicate", message)
        return RefundAnswer("refused", message)


def _whole_shillings(raw: Any) -> int | None:
    """PesaPal's amount (a number or a string such as "120000.00") as whole UGX; None if it is not one."""
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return (
        int(value) if raw is not None and value.is_finite() and value == value.to_integral_value() else None
    )
