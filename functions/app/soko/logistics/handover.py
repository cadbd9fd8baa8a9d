"""The handover: the transporter enters the buyer's delivery PIN, and the market's PIN rule decides.

Logistics does not keep its own copy of the rule (the PIN's hash, its tries and its lock are the
order's, in the market's table): like the USSD channel, it runs the market's use case
(``soko.market.logic.enter_delivery_pin``) with the market's dependencies, given the order's booked
transport (``Market.order_transport``) so that the market accepts the PIN from the transporter. This is
the one place logistics reaches into the market's logic (an allowance in
``tests/contract/test_layering.py``)."""

from __future__ import annotations

from collections.abc import Callable

from soko.market import logic as market
from soko.shared.identity import Caller


class MarketHandover:
    """The :class:`soko.logistics.steps.Handover` port on the market's PIN rule."""

    def __init__(self, deps: Callable[[], market.Market], verify: Callable[[str, str], bool]) -> None:
        self._deps = deps
        self._verify = verify

    def __call__(self, caller: Caller, order_id: str, pin: str) -> object:
        return market.enter_delivery_pin(
            caller, order_id, market.DeliveryPin(pin=pin), self._deps(), verify=self._verify
        )
