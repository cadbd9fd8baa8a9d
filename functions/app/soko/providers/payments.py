"""The interface every payment provider adapter offers (PesaPal, MTN MoMo), so the payments
domain never knows which one it is talking to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from soko.providers.http import ProviderError

State = Literal["pending", "completed", "failed", "reversed"]


class PaymentProviderError(ProviderError):
    """The provider refused a request or could not be reached."""


@dataclass(frozen=True)
class Payer:
    phone: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class Submitted:
    tracking_id: str  # the provider's id of this attempt (PesaPal order_tracking_id, MoMo X-Reference-Id)
    redirect_url: str  # where the payer confirms ("" for MoMo: the prompt arrives on the handset)


@dataclass(frozen=True)
class ProviderStatus:
    """What the provider says about one attempt, as read back from it (never from a callback)."""

    state: State
    amount: int | None
    currency: str
    reference: str  # our merchant reference, as the provider has it
    confirmation_code: str = ""
    description: str = ""
    known: bool = True  # False: the provider has no such attempt (MoMo's 404: never accepted)


RefundOutcome = Literal["accepted", "duplicate", "refused"]


@dataclass(frozen=True)
class RefundAnswer:
    """What the provider said to a refund request: ``accepted``; ``duplicate`` (it already has a
    refund of this payment: an earlier call reached it, so this one is done too); ``refused`` (final:
    it will not refund this, e.g. a partial mobile-money refund, or MoMo collections). An outage or an
    answer we cannot read raises :class:`PaymentProviderError` instead: the refund is retried."""

    outcome: RefundOutcome
    message: str = ""


class PaymentProvider(Protocol):
    name: str

    def submit(
        self, *, reference: str, amount: int, currency: str, description: str, payer: Payer
    ) -> Submitted: ...

    def reference_id(self, reference: str) -> str:
        """The provider's id of the attempt ``reference`` when we choose it before calling (MoMo's
        X-Reference-Id), so it is recorded first; "" when the provider assigns it (PesaPal)."""
        ...

    def status(self, tracking_id: str) -> ProviderStatus: ...

    def refund(
        self, *, confirmation_code: str, tracking_id: str, amount: int, full: bool, remarks: str
    ) -> RefundAnswer: ...
