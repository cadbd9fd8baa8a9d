from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from soko.shared.config import BusConfig


class HealthConfig(BusConfig):
    health_table_names: str = Field(min_length=1, description="Comma-separated tables to check")

    @property
    def tables(self) -> list[str]:
        return [name.strip() for name in self.health_table_names.split(",") if name.strip()]


class Check(BaseModel):
    name: str
    kind: Literal["dynamodb", "eventbridge"]
    ok: bool
    latency_ms: float
    error: str | None = None


class HealthReport(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    stage: str
    time: datetime
    checks: list[Check]
