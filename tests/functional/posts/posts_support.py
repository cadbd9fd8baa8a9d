"""What the posts functional tests share beyond ``support``: the gateway that records every AWS
operation a request makes (so a test can prove a list never Scans) and direct reads of the posts
table. Public routes get no identity; on a protected route the caller reaches the function only as
the authorizer's context."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from support.gateway import Api
from support.tables import Table


@dataclass
class Gateway(Api):
    operations: list[str] = field(default_factory=list)  # filled by the ``gateway`` fixture

    def __post_init__(self) -> None:
        self.observe = self._fresh_operations

    @contextmanager
    def _fresh_operations(self, method: str, route_path: str) -> Iterator[None]:
        self.operations.clear()
        yield


class PostsTable(Table):
    def item_keys(self) -> set[tuple[str, str]]:
        return {(str(i["pk"]), str(i["sk"])) for i in self.items()}
