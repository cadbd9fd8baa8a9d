"""Sandbox PesaPal 3.0 and MTN MoMo (collections), served by the local runtime under
``/_sandbox/pesapal`` and ``/_sandbox/momo``. They speak the contracts in docs/providers.md, so
the adapters talk to them by base URL exactly as to the real services.

Demo and test controls (not part of the providers' APIs):

- ``POST /_sandbox/pesapal/{order_tracking_id}/complete`` (optional JSON ``{"amount": n}`` to pay a
  different amount), ``/fail`` and ``/reverse`` change the transaction, then send the IPN to the
  registered URL exactly as PesaPal does (``GET ?OrderTrackingId=..&OrderMerchantReference=..
  &OrderNotificationType=IPNCHANGE``, no status, no signature); the answer shows what the IPN got.
- ``GET /_sandbox/pesapal/transactions`` and ``/_sandbox/pesapal/refunds``: what was received.
- ``GET /_sandbox/pesapal/checkout/{order_tracking_id}``: the checkout page a buyer sees. PesaPal's
  ``redirect_url`` points at its own hosted page (``cybqa.pesapal.com``), which a browser cannot
  reach locally, so the twin answers ``SubmitOrderRequest`` with a ``redirect_url`` to this page
  instead, on the origin the request came to (the runtime's own, as the web app's). It shows the
  amount, reference and phone, and two plain HTML forms, "Pay" and "Decline", which POST to
  ``.../checkout/{id}/pay`` and ``.../checkout/{id}/decline``: the same completion and failure as
  ``/complete`` and ``/fail`` (the IPN goes to the webhook), then a page saying what happened. No
  inline script or style (the app's CSP); the page may be framed by its own origin only
  (``frame-ancestors 'self'``), as the web app shows PesaPal's checkout in an iframe.
- ``POST /_sandbox/momo/{reference_id}/complete`` and ``/fail``: MoMo's single callback, no retry.
- Faults, for the next call of an operation only: ``POST /_sandbox/pesapal/_faults``
  ``{"refund": "lost_answer"}`` (PesaPal accepts the refund, then the answer is lost: HTTP 502) and
  ``POST /_sandbox/momo/_faults`` ``{"requesttopay": "timeout_after_accept"}`` (MoMo accepts the
  request-to-pay, then its gateway times out: HTTP 504, as an API gateway in front of a backend
  that did not answer in time; the request exists and its status can be read).

Refunds follow PesaPal's rules: only COMPLETED payments, one refund per payment (a second is
answered "A refund was already requested for this payment."), mobile-money refunds in full only;
a payment made by card (``complete`` with ``{"payment_method": "Visa"}``) may be refunded in part.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

_SEQ = itertools.count(1)
TOKEN_SECONDS = 300


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return _json({"error": {"type": "error", "code": code, "message": message}}, status)


CHECKOUT_CSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"


def _page(title: str, body: str, status: int = 200) -> Response:
    """A small HTML page with no script and no style, which only its own origin may frame."""
    text = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} - PesaPal sandbox</title></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    headers = {
        "Content-Security-Policy": CHECKOUT_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    return Response(text, status=status, content_type="text/html; charset=utf-8", headers=headers)


def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(request.get_data(as_text=True) or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _deliver(method: str, url: str, payload: dict[str, str]) -> dict[str, Any]:
    """Send a notification like the provider would; what the receiver answered."""
    data = None
    if method == "GET":
        url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(payload)}"
    else:
        data = json.dumps(payload).encode()
    outgoing = urllib.request.Request(  # noqa: S310  (the runtime's own URLs)
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(outgoing, timeout=30) as response:  # noqa: S310  (local URLs only)
            return {"status": response.status, "body": response.read().decode(errors="replace")}
    except urllib.error.HTTPError as err:
        return {"status": err.code, "body": err.read().decode(errors="replace")}
    except (urllib.error.URLError, OSError) as err:
        return {"status": 0, "body": type(err).__name__}


class PesapalSandbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.tokens: dict[str, datetime] = {}
        self.ipns: dict[str, dict[str, str]] = {}
        self.transactions: dict[str, dict[str, Any]] = {}
        self.references: set[str] = set()
        self.refunds: list[dict[str, Any]] = []
        self.token_requests = 0
        self.faults: dict[str, str] = {}  # operation -> fault, for its next call only

    def _authorized(self, request: Request) -> bool:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        with self._lock:
            expiry = self.tokens.get(token)
        return expiry is not None and expiry > datetime.now(UTC)

    def dispatch(self, request: Request, path: str) -> Response | None:
        api = {
            ("POST", "/api/Auth/RequestToken"): self.token,
            ("POST", "/api/URLSetup/RegisterIPN"): self.register_ipn,
            ("GET", "/api/URLSetup/GetIpnList"): self.ipn_list,
            ("POST", "/api/Transactions/SubmitOrderRequest"): self.submit,
            ("GET", "/api/Transactions/GetTransactionStatus"): self.status,
            ("POST", "/api/Transactions/RefundRequest"): self.refund,
        }.get((request.method, path))
        if api is not None:
            if api != self.token and not self._authorized(request):
                return _error(401, "invalid_token", "The token is missing, invalid or expired.")
            return api(request)
        if request.method == "GET" and path in ("/transactions", "/refunds"):
            with self._lock:
                return _json(list(self.transactions.values()) if path == "/transactions" else self.refunds)
        if request.method == "POST" and path == "/_faults":
            with self._lock:
                self.faults.update({str(k): str(v) for k, v in _body(request).items()})
                return _json(self.faults)
        return self._controls(request, path.strip("/").split("/"))

    def _controls(self, request: Request, parts: list[str]) -> Response | None:
        """The checkout page and its buttons, and the demo controls that settle a transaction."""
        if parts[0] == "checkout" and len(parts) in (2, 3):
            return self.checkout(request, parts[1], parts[2] if len(parts) == 3 else "")
        if request.method == "POST" and len(parts) == 2 and parts[1] in ("complete", "fail", "reverse"):
            return self.settle(parts[0], parts[1], _body(request))
        return None

    def token(self, request: Request) -> Response:
        body = _body(request)
        if not body.get("consumer_key") or not body.get("consumer_secret"):
            return _error(401, "invalid_consumer_key_or_secret_provided", "Invalid consumer key or secret.")
        token = uuid.uuid4().hex
        expiry = datetime.now(UTC) + timedelta(seconds=TOKEN_SECONDS)
        with self._lock:
            self.tokens[token] = expiry
            self.token_requests += 1
        return _json({"token": token, "expiryDate": expiry.isoformat(), "status": "200", "error": None})

    def register_ipn(self, request: Request) -> Response:
        body = _body(request)
        kind = str(body.get("ipn_notification_type", "GET")).upper()
        if not str(body.get("url", "")).startswith(("http://", "https://")) or kind not in ("GET", "POST"):
            return _error(400, "invalid_ipn", "A URL and GET or POST are required.")
        ipn_id = str(uuid.uuid4())
        with self._lock:
            self.ipns[ipn_id] = {"url": body["url"], "ipn_notification_type": kind, "ipn_id": ipn_id}
        return _json({**self.ipns[ipn_id], "status": "200", "error": None})

    def ipn_list(self, request: Request) -> Response:
        with self._lock:
            return _json(list(self.ipns.values()))

    def submit(self, request: Request) -> Response:
        body = _body(request)
        reference = str(body.get("id", ""))
        if not reference or len(reference) > 50:
            return _error(400, "invalid_merchant_reference", "id (max 50) is required.")
        try:
            amount = float(body.get("amount", 0))
        except (TypeError, ValueError):
            amount = 0
        if amount <= 0 or not body.get("currency") or str(body.get("notification_id")) not in self.ipns:
            return _error(
                400, "invalid_order", "amount, currency and a registered notification_id are required."
            )
        tracking_id = str(uuid.uuid4())
        # The checkout page on the origin this request came to (the runtime's), not PesaPal's own.
        root = request.base_url.removesuffix("/api/Transactions/SubmitOrderRequest")
        with self._lock:
            reused = reference in self.references
            self.references.add(reference)
            self.transactions[tracking_id] = {
                "order_tracking_id": tracking_id,
                "merchant_reference": reference,
                "amount": amount,
                "currency": body["currency"],
                "notification_id": body["notification_id"],
                "phone_number": (body.get("billing_address") or {}).get("phone_number", ""),
                "status_code": 0,
                "payment_status_description": "INVALID" if reused else "",
                "confirmation_code": "",
                "invalid": reused,  # PesaPal: a reused merchant reference yields INVALID results
            }
        return _json(
            {
                "order_tracking_id": tracking_id,
                "merchant_reference": reference,
                "redirect_url": f"{root}/checkout/{tracking_id}",
                "error": None,
                "status": "200",
            }
        )

    def checkout(self, request: Request, tracking_id: str, action: str) -> Response | None:
        """The hosted checkout page (GET) and its two buttons (POST .../pay, .../decline)."""
        with self._lock:
            tx = dict(self.transactions.get(tracking_id) or {})
        if not tx:
            return _page("Payment not found", "<p>There is no payment with this reference.</p>", 404)
        if request.method == "POST" and action in ("pay", "decline"):
            if tx["status_code"] == 0 and not tx["invalid"]:
                self.settle(tracking_id, "complete" if action == "pay" else "fail", {})
            with self._lock:
                tx = dict(self.transactions[tracking_id])
        elif request.method != "GET" or action:
            return None
        amount = f"{tx['currency']} {int(tx['amount']):,}"
        facts = (
            f"<dl><dt>Amount</dt><dd>{html.escape(amount)}</dd>"
            f"<dt>Reference</dt><dd>{html.escape(tx['merchant_reference'])}</dd>"
            f"<dt>Phone</dt><dd>{html.escape(tx['phone_number'] or '-')}</dd></dl>"
        )
        if tx["invalid"]:
            return _page("Payment refused", f"{facts}<p>This payment reference was already used.</p>")
        if tx["status_code"] == 1:
            return _page("Payment complete", f'{facts}<p role="status">Paid. You can close this page.</p>')
        if tx["status_code"] in (2, 3):
            return _page("Payment declined", f'{facts}<p role="status">Declined. Nothing was paid.</p>')
        base = html.escape(request.base_url)
        pay = f"Pay {html.escape(amount)}"
        buttons = (
            f'<form method="post" action="{base}/pay"><button type="submit">{pay}</button></form>'
            f'<form method="post" action="{base}/decline"><button type="submit">Decline</button></form>'
        )
        return _page("Pay with mobile money", f"{facts}<p>PesaPal sandbox: no money moves.</p>{buttons}")

    def status(self, request: Request) -> Response:
        tracking_id = request.args.get("orderTrackingId", "")
        with self._lock:
            tx = dict(self.transactions.get(tracking_id) or {})
        # Like PesaPal: until the payer confirms (and for ids it does not know) the answer is status 0
        # with the error "payment_details_not_found" - not final.
        if not tx or (tx["status_code"] == 0 and not tx["invalid"]):
            return _json(
                {
                    "status_code": 0,
                    "payment_status_description": "",
                    "error": {
                        "error_type": "api_error",
                        "code": "payment_details_not_found",
                        "message": "Pending Payment",
                    },
                    "status": "500",
                }
            )
        names = {0: "INVALID", 1: "Completed", 2: "Failed", 3: "Reversed"}
        return _json(
            {
                "payment_method": tx.get("payment_method", "MTN UG") if tx["status_code"] else "",
                "amount": tx["amount"],
                "created_date": datetime.now(UTC).isoformat(),
                "confirmation_code": tx["confirmation_code"],
                "payment_status_description": tx["payment_status_description"] or names[tx["status_code"]],
                "description": "",
                "message": "Request processed successfully",
                "payment_account": tx["phone_number"],
                "call_back_url": "",
                "status_code": tx["status_code"],
                "merchant_reference": tx["merchant_reference"],
                "currency": tx["currency"],
                "error": {"error_type": None, "code": None, "message": None},
                "status": "200",
            }
        )

    def refund(self, request: Request) -> Response:
        body = _body(request)
        with self._lock:
            tx = next(
                (
                    t
                    for t in self.transactions.values()
                    if t["confirmation_code"] and t["confirmation_code"] == body.get("confirmation_code")
                ),
                None,
            )
            if tx is None or tx["status_code"] != 1:
                return _json({"status": "500", "message": "Refund only applies to COMPLETED payments."})
            if any(r["confirmation_code"] == tx["confirmation_code"] for r in self.refunds):
                return _json({"status": "500", "message": "A refund was already requested for this payment."})
            try:
                amount = float(body.get("amount", 0))
            except (TypeError, ValueError):
                amount = 0
            card = tx.get("payment_method", "MTN UG") not in ("MTN UG", "Airtel UG")
            if amount <= 0 or amount > tx["amount"] or (amount != tx["amount"] and not card):
                return _json({"status": "500", "message": "Mobile money refunds are in full only."})
            self.refunds.append({**body, "order_tracking_id": tx["order_tracking_id"]})
            fault = self.faults.pop("refund", "")
        if fault == "lost_answer":
            return Response("<html><body>502 Bad Gateway</body></html>", status=502, content_type="text/html")
        return _json({"status": "200", "message": "Refund request successfully"})

    def settle(self, tracking_id: str, action: str, body: dict[str, Any]) -> Response:
        with self._lock:
            tx = self.transactions.get(tracking_id)
            if tx is None:
                return _json({"message": "no such transaction"}, 404)
            if not tx["invalid"]:
                if action == "complete":
                    paid = float(body.get("amount", tx["amount"]))
                    tx["status_code"] = 1 if paid >= tx["amount"] else 2  # an underpayment ends FAILED
                    tx["paid_amount"] = paid
                    tx["confirmation_code"] = f"SBX{next(_SEQ):08d}"
                    tx["payment_method"] = str(body.get("payment_method") or "MTN UG")
                elif action == "fail":
                    tx["status_code"] = 2
                else:
                    tx["status_code"] = 3
            ipn = dict(self.ipns.get(tx["notification_id"]) or {})
            snapshot = dict(tx)
        delivered = None
        if ipn:
            delivered = _deliver(
                ipn["ipn_notification_type"],
                ipn["url"],
                {
                    "OrderTrackingId": tracking_id,
                    "OrderMerchantReference": snapshot["merchant_reference"],
                    "OrderNotificationType": "IPNCHANGE",
                },
            )
        return _json({"transaction": snapshot, "ipn": delivered})


class MomoSandbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.tokens: set[str] = set()
        self.requests: dict[str, dict[str, Any]] = {}
        self.faults: dict[str, str] = {}  # operation -> fault, for its next call only

    def dispatch(self, request: Request, path: str) -> Response | None:  # noqa: PLR0911
        if request.method == "POST" and path == "/collection/token/":
            if not request.headers.get("Authorization", "").startswith("Basic ") or not request.headers.get(
                "Ocp-Apim-Subscription-Key"
            ):
                return _json({"error": "login_failed"}, 401)
            token = uuid.uuid4().hex
            with self._lock:
                self.tokens.add(token)
            return _json({"access_token": token, "token_type": "access_token", "expires_in": 3600})
        if path.startswith("/collection/v1_0/requesttopay"):
            token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if token not in self.tokens:
                return _json({"code": "UNAUTHORIZED"}, 401)
            reference = path.removeprefix("/collection/v1_0/requesttopay").strip("/")
            if request.method == "POST" and not reference:
                return self.request_to_pay(request)
            if request.method == "GET" and reference:
                with self._lock:
                    found = self.requests.get(reference)
                return _json(found["public"]) if found else _json({"code": "RESOURCE_NOT_FOUND"}, 404)
        if request.method == "POST" and path == "/_faults":
            with self._lock:
                self.faults.update({str(k): str(v) for k, v in _body(request).items()})
                return _json(self.faults)
        parts = path.strip("/").split("/")
        if request.method == "POST" and len(parts) == 2 and parts[1] in ("complete", "fail"):
            return self.settle(parts[0], parts[1])
        return None

    def request_to_pay(self, request: Request) -> Response:
        reference = request.headers.get("X-Reference-Id", "")
        try:
            uuid.UUID(reference)
        except ValueError:
            return _json({"code": "INVALID_REFERENCE_ID"}, 400)
        body = _body(request)
        with self._lock:
            if reference in self.requests:
                return _json({"code": "RESOURCE_ALREADY_EXIST"}, 409)
            self.requests[reference] = {
                "callback": request.headers.get("X-Callback-Url", ""),
                "public": {
                    "amount": str(body.get("amount", "")),
                    "currency": body.get("currency", ""),
                    "externalId": body.get("externalId", ""),
                    "payer": body.get("payer", {}),
                    "status": "PENDING",
                },
            }
            fault = self.faults.pop("requesttopay", "")
        if fault == "timeout_after_accept":  # accepted, but the answer never reaches the caller
            return _json({"code": "GATEWAY_TIMEOUT", "message": "upstream request timeout"}, 504)
        return Response(status=202)

    def settle(self, reference: str, action: str) -> Response:
        with self._lock:
            found = self.requests.get(reference)
            if found is None:
                return _json({"message": "no such request"}, 404)
            if action == "complete":
                found["public"].update(status="SUCCESSFUL", financialTransactionId=str(next(_SEQ)))
            else:
                found["public"].update(status="FAILED", reason="APPROVAL_REJECTED")
            public, callback = dict(found["public"]), found["callback"]
        delivered = (
            _deliver("PUT", callback, {k: str(v) for k, v in public.items() if k != "payer"})
            if callback
            else None
        )
        return _json({"request": public, "callback": delivered})


class PaymentsSandbox:
    def __init__(self) -> None:
        self.pesapal = PesapalSandbox()
        self.momo = MomoSandbox()

    def dispatch(self, request: Request, path: str) -> Response | None:
        if path.startswith("/pesapal/"):
            return self.pesapal.dispatch(request, path.removeprefix("/pesapal"))
        if path.startswith("/momo/"):
            return self.momo.dispatch(request, path.removeprefix("/momo"))
        return None


def parameter_overrides(base_url: str, prefix: str) -> dict[str, str]:
    return {
        "PesapalBaseUrl": f"{base_url}{prefix}/pesapal",
        "PesapalIpnUrl": f"{base_url}/webhook/pesapal",
        "MomoBaseUrl": f"{base_url}{prefix}/momo",
    }
