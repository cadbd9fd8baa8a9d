"""The alerts domain's event contracts (source ``soko.alerts``)."""

from __future__ import annotations

from typing import ClassVar

from soko.shared.notices import Notice


class PriceAlertTriggered(Notice):
    """A subscriber's rule fired (a price crossed a threshold, or the forecast moved)."""

    SOURCE: ClassVar[str] = "soko.alerts"
    DETAIL_TYPE: ClassVar[str] = "PriceAlertTriggered"


class PriceDigestCompiled(Notice):
    """A subscriber's weekly digest of their crops' prices and outlook."""

    SOURCE: ClassVar[str] = "soko.alerts"
    DETAIL_TYPE: ClassVar[str] = "PriceDigestCompiled"
