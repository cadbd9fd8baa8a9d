"""Event contracts: versioned pydantic models for what goes on the Soko event bus.

Every event is ``source = soko.<domain>``, ``detail-type`` a past-tense PascalCase name and a
``detail`` that starts with ``schema_version``. A contract is a subclass of :class:`EventDetail`
declaring ``SOURCE`` and ``DETAIL_TYPE``; a change that breaks a consumer gets a new version.
Consumers read the EventBridge envelope with :class:`ReceivedEvent` and tolerate unknown fields.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any, ClassVar, cast

from pydantic import BaseModel, ConfigDict, Field, create_model

from soko.shared import clock, ids

_SOURCE = re.compile(r"^soko\.[a-z]+$")
_DETAIL_TYPE = re.compile(r"^[A-Z][A-Za-z]+$")


class EventDetail(BaseModel):
    """Base of every event's ``detail``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    SOURCE: ClassVar[str]
    DETAIL_TYPE: ClassVar[str]

    schema_version: int = 1
    # Our own id, stable across re-publishing (EventBridge gives every PutEvents a new `id`);
    # consumers deduplicate on it.
    event_id: str = Field(default_factory=ids.ulid)
    occurred_at: datetime = Field(default_factory=clock.now)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        source = cls.__dict__.get("SOURCE")
        detail_type = cls.__dict__.get("DETAIL_TYPE")
        if source is not None and not (isinstance(source, str) and _SOURCE.fullmatch(source)):
            raise TypeError(f"{cls.__name__}.SOURCE must look like 'soko.<domain>', got {source!r}")
        if detail_type is None:
            return  # an abstract intermediate class (it may fix SOURCE for its subclasses)
        if not (isinstance(detail_type, str) and _DETAIL_TYPE.fullmatch(detail_type)):
            raise TypeError(f"{cls.__name__}.DETAIL_TYPE must be PascalCase, got {detail_type!r}")
        inherited = getattr(cls, "SOURCE", None)
        if not (isinstance(inherited, str) and _SOURCE.fullmatch(inherited)):
            raise TypeError(f"{cls.__name__} declares DETAIL_TYPE but no SOURCE like 'soko.<domain>'")


class ReceivedEvent(BaseModel):
    """An EventBridge event as a consumer receives it (for example inside an SQS message body)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = Field(min_length=1)
    source: str
    detail_type: str = Field(alias="detail-type")
    time: datetime
    detail: dict[str, Any]
    region: str | None = None
    account: str | None = None  # moto's local bus leaves it out

    @property
    def dedup_id(self) -> str:
        """What a consumer deduplicates on: the event's own id, else EventBridge's."""
        return str(self.detail.get("event_id") or self.id)

    def parse[D: EventDetail](self, contract: type[D]) -> D:
        """The detail as ``contract``; raises pydantic's ValidationError when it does not fit."""
        return contract.model_validate(self.detail)

    def parse_any[D: EventDetail](self, *contracts: type[D]) -> D | None:
        """The detail as the one of ``contracts`` whose ``SOURCE`` and ``DETAIL_TYPE`` this event
        has, or None when it is none of them. A detail that does not fit its producer's contract
        raises pydantic's ValidationError (the record fails, and after its retries it is in the DLQ)."""
        for contract in contracts:
            if (self.source, self.detail_type) == (contract.SOURCE, contract.DETAIL_TYPE):
                return contract.model_validate(self.detail)
        return None


@cache
def lenient[D: EventDetail](contract: type[D]) -> type[D]:
    """``contract`` with every field optional (absent means None): for a consumer that acts on what
    an event names and skips what it does not (notifications). A field that is present is still
    read with the producer's type, so a detail that contradicts the contract fails."""
    fields: dict[str, Any] = {
        name: (cast(Any, info.annotation) | None, None)
        for name, info in contract.model_fields.items()
        if name not in EventDetail.model_fields
    }
    return cast(type[D], create_model(f"Lenient{contract.__name__}", __base__=contract, **fields))
