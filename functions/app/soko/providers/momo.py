"""MTN MoMo Open API, collections (docs/providers.md#mtn-mobile-money-momo): request-to-pay, status.

``X-Reference-Id`` is the idempotency key; ours is a name-based UUID of the attempt's merchant
reference, so a retried submit sends the same id, and MoMo's 409 for it is read by
:meth:`MtnMomo.submit` as "already accepted". MoMo sends its callback once and never retries it,
so the status is always read back with :meth:`MtnMomo.status` (the payments domain's
reconciliation job polls pending attempts). The payments domain records the X-Reference-Id
(:meth:`MtnMomo.reference_id`) before it calls, so a request-to-pay that MoMo accepted but whose
answer never came back (a timeout) is still found and reconciled. Refunds are not part of the
collections API: :meth:`MtnMomo.refund` answers ``refused``, and an operator refunds by
disbursement (an admin then records it).
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from dataclasses import dataclass

from soko.providers.http import request, secret_json
from soko.providers.payments import (
    Payer,
    PaymentProviderError,
    ProviderStatus,
    RefundAnswer,
    State,
    Submitted,
)

STATES: dict[str, State] = {"PENDING": "pending", "SUCCESSFUL": "completed", "FAILED": "failed"}
_lock = threading.Lock()
_tokens: dict[tuple[str, str], tuple[str, float]] = {}


@dataclass(frozen=True)
class MomoCredentials:
    subscription_key: str
    api_user: str
    api_key: str

    @classmethod
    def from_secret(cls, secret: str) -> MomoCredentials:
        names = ("subscription_key", "api_user", "api_key")
        data = secret_json(secret, "MoMo", names, PaymentProviderError)
        return cls(*(str(data[name]) for name in names))


class MtnMomo:
    name = "momo"

    def __init__(
        self,
        base_url: str,
        credentials: MomoCredentials,
        *,
        target_environment: str = "sandbox",
        callback_url: str = "",
        timeout: float = 10.0,
    ):
        self._base = base_url.rstrip("/")
        self._credentials = credentials
        self._target = target_environment
        self._callback_url = callback_url
        self._timeout = timeout

    def _token(self) -> str:
        key = (self._base, self._credentials.api_user)
        with _lock:
            cached = _tokens.get(key)
            if cached and cached[1] > time.monotonic():
                return cached[0]
        basic = base64.b64encode(
            f"{self._credentials.api_user}:{self._credentials.api_key}".encode()
        ).decode()
        response = request(
            "POST",
            f"{self._base}/collection/token/",
            headers={
                "Authorization": f"Basic {basic}",
                "Ocp-Apim-Subscription-Key": self._credentials.subscription_key,
            },
            json_body={},
            timeout=self._timeout,
        )
        if response.status >= 400:
            raise PaymentProviderError(f"MoMo token request failed: HTTP {response.status}")
        body = response.json()
        token = str(body.get("access_token") or "")
        if not token:
            raise PaymentProviderError("MoMo gave no access token")
        lifetime = max(0.0, float(body.get("expires_in") or 3600) - 30.0)
        with _lock:
            _tokens[key] = (token, time.monotonic() + lifetime)
        return token

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self._token()}",
            "X-Target-Environment": self._target,
            "Ocp-Apim-Subscription-Key": self._credentials.subscription_key,
        }

    def reference_id(self, reference: str) -> str:
        """The X-Reference-Id of the attempt ``reference``: a name-based UUID, stable per attempt."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"soko:{reference}"))

    def submit(
        self, *, reference: str, amount: int, currency: str, description: str, payer: Payer
    ) -> Submitted:
        reference_id = self.reference_id(reference)
        headers = {**self._headers(), "X-Reference-Id": reference_id}
        if self._callback_url:
            headers["X-Callback-Url"] = self._callback_url
        response = request(
            "POST",
            f"{self._base}/collection/v1_0/requesttopay",
            headers=headers,
            json_body={
                "amount": str(amount),
                "currency": currency,
                "externalId": reference,
                "payer": {"partyIdType": "MSISDN", "partyId": payer.phone.lstrip("+")},
                "payerMessage": description[:160],
                "payeeNote": reference,
            },
            timeout=self._timeout,
        )
        if response.status not in (202, 409):  # 409: this X-Reference-Id was already accepted
            raise PaymentProviderError(f"MoMo requesttopay failed: HTTP {response.status}")
        return Submitted(tracking_id=reference_id, redirect_url="")

    def status(self, tracking_id: str) -> ProviderStatus:
        response = request(
            "GET",
            f"{self._base}/collection/v1_0/requesttopay/{tracking_id}",
            headers=self._headers(),
            timeout=self._timeout,
        )
        if response.status == 404:  # MoMo never accepted this reference id
            return ProviderStatus(state="pending", amount=None, currency="", reference="", known=False)
        if response.status >= 400:
            raise PaymentProviderError(f"MoMo requesttopay status failed: HTTP {response.status}")
        body = response.json()
        try:
            amount: int | None = int(str(body.get("amount")))
        except (TypeError, ValueError):
            amount = None
        return ProviderStatus(
            state=STATES.get(str(body.get("status", "")).upper(), "pending"),
            amount=amount,
            currency=str(body.get("currency") or ""),
            reference=str(body.get("externalId") or ""),
            confirmation_code=str(body.get("financialTransactionId") or ""),
            description=str(body.get("reason") or ""),
        )

    def refund(
        self, *, confirmation_code: str, tracking_id: str, amount: int, full: bool, remarks: str
    ) -> RefundAnswer:
        return RefundAnswer("refused", "MoMo collections cannot refund; an operator refunds by disbursement")
