"""The PesaPal adapter's refund answers against the sandbox PesaPal: accepted, a second request for
the same payment read as a duplicate (the call's idempotency), a partial mobile-money refund refused,
a partial card refund accepted, and a lost answer raised (so the refund is retried)."""

from __future__ import annotations

import pytest

from soko.providers.http import ProviderError
from soko.providers.payments import Payer
from soko.providers.pesapal import PesaPal, PesapalCredentials
from support.sandbox import SandboxServer


def _paid(server: SandboxServer, adapter: PesaPal, method: str = "MTN UG") -> tuple[str, str]:
    submitted = adapter.submit(
        reference=f"R{id(method)}{len(server.sandbox.payments.pesapal.transactions)}",
        amount=10_000,
        currency="UGX",
        description="order",
        payer=Payer("+256772123456"),
    )
    done = server.post(f"/pesapal/{submitted.tracking_id}/complete", {"payment_method": method})
    return submitted.tracking_id, str(done["transaction"]["confirmation_code"])


@pytest.fixture
def adapter(server: SandboxServer) -> PesaPal:
    return PesaPal(
        f"{server.url}/_sandbox/pesapal",
        PesapalCredentials("key", "secret", "soko"),
        ipn_url=f"{server.url}/not-served",
    )


def test_refund_answers(server: SandboxServer, adapter: PesaPal) -> None:
    tracking, code = _paid(server, adapter)
    refund = {"confirmation_code": code, "tracking_id": tracking, "remarks": "r"}
    assert adapter.refund(**refund, amount=4_000, full=False).outcome == "refused"  # mobile money: in full
    assert adapter.refund(**refund, amount=10_000, full=True).outcome == "accepted"
    again = adapter.refund(**refund, amount=10_000, full=True)
    assert again.outcome == "duplicate" and "already" in again.message
    assert len(server.sandbox.payments.pesapal.refunds) == 1

    tracking, code = _paid(server, adapter, "Visa")
    assert adapter.refund(
        confirmation_code=code, tracking_id=tracking, amount=4_000, full=False, remarks="r"
    ).outcome == ("accepted")


def test_a_lost_refund_answer_raises_and_the_retry_is_a_duplicate(
    server: SandboxServer, adapter: PesaPal
) -> None:
    tracking, code = _paid(server, adapter)
    server.post("/pesapal/_faults", {"refund": "lost_answer"})
    with pytest.raises(ProviderError):
        adapter.refund(confirmation_code=code, tracking_id=tracking, amount=10_000, full=True, remarks="r")
    retry = adapter.refund(
        confirmation_code=code, tracking_id=tracking, amount=10_000, full=True, remarks="r"
    )
    assert retry.outcome == "duplicate" and len(server.sandbox.payments.pesapal.refunds) == 1
