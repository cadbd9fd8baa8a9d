"""Configuration as validated models, read from the environment once per process.

Each function declares the settings it needs as a subclass of :class:`BaseConfig`; the model is
built on first use (never at import time) and cached, so tests set the environment first and need
no import-order tricks. A missing or malformed variable fails loudly with the variable's name.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Stage = Literal["dev", "prod", "local", "localstack", "test"]


class ConfigError(RuntimeError):
    """The function's environment does not hold a valid configuration."""


class BaseConfig(BaseModel):
    """Settings every function has. Field names map to upper-cased environment variables."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: Stage = "dev"
    app_version: str = "0.0.0"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Self:
        env = os.environ if environ is None else environ
        values = {name: env[name.upper()] for name in cls.model_fields if name.upper() in env}
        try:
            return cls.model_validate(values)
        except ValidationError as err:
            problems = "; ".join(
                f"{str(e['loc'][0]).upper()}: {e['msg']}" for e in err.errors(include_url=False)
            )
            raise ConfigError(f"invalid configuration for {cls.__name__}: {problems}") from None

    @property
    def is_local(self) -> bool:
        return self.stage in ("local", "test")


class BusConfig(BaseConfig):
    """A function that publishes to the Soko bus (EVENT_BUS_NAME required)."""

    event_bus_name: str = Field(min_length=1)


class IdempotencyTableConfig(BaseConfig):
    """A function with idempotent requests or consumers (IDEMPOTENCY_TABLE_NAME required)."""

    idempotency_table_name: str = Field(min_length=1)


@cache
def load[C: BaseConfig](config_type: type[C]) -> C:
    """The cached configuration of ``config_type`` for this process."""
    return config_type.from_env()
