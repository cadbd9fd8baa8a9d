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


class PaymentProvider(Protocol):
    name: str

    def submit(
        self, *, reference: str, amount: int, currency: str, description: str, payer: Payer
    ) -> Submitted: ...

    def status(self, tracking_id: str) -> ProviderStatus: ...

    def refund(self, *, confirmation_code: str, amount: int, remarks: str) -> None: ...
