"""The weekly digest's fan-out (pure over its ports): the job walks the digest index shard by shard
and queues pages of subscribers; the consumer compiles each page (``logic.digests``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from pydantic import BaseModel, Field

from soko.alerts.dal import DIGEST_SHARDS  # the index layout


class Owners(Protocol):
    def digest_owners(self, shard: int) -> Iterator[str]: ...


class Pages(Protocol):
    def send_pages(self, week: str, owners: Iterator[str]) -> int: ...


class DigestPage(BaseModel):
    """One queue message: a page of subscribers for one week's digest."""

    week: str = Field(pattern=r"^\d{4}-W\d{2}$")
    owners: list[str] = Field(min_length=1, max_length=500)


def every_owner(store: Owners) -> Iterator[str]:
    for shard in range(DIGEST_SHARDS):
        yield from store.digest_owners(shard)


def fan_out(week: str, store: Owners, queue: Pages) -> int:
    """Queue every digest subscriber: how many pages were sent."""
    return queue.send_pages(week, every_owner(store))
