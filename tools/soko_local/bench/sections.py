"""The bench's sections: their numbers, the name a failure is reported under, and how each is
measured. Sections 1 and 3 run on their own (they start processes); the others share one
in-process runtime and run in IN_RUNTIME's order. The printout follows the numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from soko_local.bench import (
    alerts,
    cold_start,
    gateway,
    identity,
    imports,
    lake,
    market,
    matching,
    metrics,
    prices,
    startup,
    tracking,
    transport,
    ussd,
)
from soko_local.bench.core import Bench, Section


@dataclass(frozen=True)
class Entry[M]:
    number: int
    name: str
    measure: M

    @property
    def title(self) -> str:
        return f"{self.number}. {self.name}"


STANDALONE: tuple[Entry[Callable[[], Section]], ...] = (
    Entry(1, "Start-up", startup.measure),
    Entry(3, "Cold imports", imports.measure),
    Entry(10, "Price alert digest", alerts.measure),
    Entry(11, "Position ingestion", tracking.measure),
    Entry(13, "Event lake", lake.measure),
    Entry(14, "Metrics", metrics.measure),
)

IN_RUNTIME: tuple[Entry[Callable[[Bench], Section]], ...] = (
    Entry(4, "Worker cold start", cold_start.measure),  # first, while every worker is still cold
    Entry(2, "Gateway overhead", gateway.measure),
    Entry(5, "Identity", identity.measure),
    Entry(8, "USSD", ussd.measure),
    Entry(6, "Marketplace", market.measure),  # leaves moto holding 10,000 listings: late
    Entry(7, "Price layer", prices.measure),
    Entry(9, "Matching", matching.measure),
    Entry(12, "Transport booking", transport.measure),
)


def numbers() -> list[int]:
    """Every section's number, in print order."""
    return sorted(entry.number for entry in (*STANDALONE, *IN_RUNTIME))
