"""Health's dependencies: its settings and the probe that asks AWS."""

from __future__ import annotations

from soko.health.dal import AwsProbe
from soko.health.logic import Probe


def probe() -> Probe:
    return AwsProbe()
