"""The MTN MoMo adapter against the sandbox MoMo: X-Reference-Id idempotency and status polling."""

from __future__ import annotations

from soko.providers.momo import MomoCredentials, MtnMomo
from soko.providers.payments import Payer
from support.sandbox import SandboxServer


def test_request_to_pay_is_idempotent_and_its_status_is_polled(server: SandboxServer) -> None:
    momo = MtnMomo(f"{server.url}/_sandbox/momo", MomoCredentials("key", "user", "secret"))
    first = momo.submit(
        reference="PAY1", amount=5000, currency="UGX", description="order", payer=Payer("+256772123456")
    )
    again = momo.submit(
        reference="PAY1", amount=5000, currency="UGX", description="order", payer=Payer("+256772123456")
    )
    assert first == again and first.redirect_url == ""
    assert len(server.sandbox.payments.momo.requests) == 1
    assert momo.status(first.tracking_id).state == "pending"

    server.post(f"/momo/{first.tracking_id}/complete")
    done = momo.status(first.tracking_id)
    assert (done.state, done.amount, done.reference) == ("completed", 5000, "PAY1")
    assert done.confirmation_code

    other = momo.submit(
        reference="PAY2", amount=10, currency="UGX", description="o", payer=Payer("+256772123456")
    )
    server.post(f"/momo/{other.tracking_id}/fail")
    assert momo.status(other.tracking_id).state == "failed"
