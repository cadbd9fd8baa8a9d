"""One observability setup for every function: Powertools Logger, Tracer and Metrics, correlation
ids, and the fixed decorator order. Events, bodies and tokens are never logged."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import AsyncGenerator, Callable, Generator
from numbers import Number
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

logger = Logger(utc=True)
metrics = Metrics()
# Most functions publish no custom metric on most invocations; that is not worth a warning each time.
warnings.filterwarnings("ignore", message="No application metrics to publish")


class _NoopSegment(BaseSegment):
    def close(self, end_time: int | None = None) -> None: ...
    def add_subsegment(self, subsegment: Any) -> None: ...
    def remove_subsegment(self, subsegment: Any) -> None: ...
    def put_annotation(self, key: str, value: str | Number | bool) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None: ...


class _NoopProvider(BaseProvider):
    """Lets a disabled Tracer skip importing aws_xray_sdk (about 100 ms of every cold start)."""

    @contextlib.contextmanager
    def in_subsegment(self, name: Any = None, **kwargs: Any) -> Generator[BaseSegment]:
        yield _NoopSegment()

    @contextlib.asynccontextmanager
    async def in_subsegment_async(self, name: Any = None, **kwargs: Any) -> AsyncGenerator[BaseSegment]:
        yield _NoopSegment()

    def put_annotation(self, key: str, value: str | Number | bool) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def patch(self, modules: Any) -> None: ...
    def patch_all(self) -> None: ...


def _make_tracer() -> Tracer:
    if os.getenv("POWERTOOLS_TRACE_DISABLED", "false").lower() in ("1", "true", "yes", "on"):
        return Tracer(provider=_NoopProvider(), disabled=True, auto_patch=False)
    return Tracer()


tracer = _make_tracer()

type Handler = Callable[[dict[str, Any], Any], Any]


def lambda_entry(
    correlation_id_path: str | None = correlation_paths.API_GATEWAY_HTTP,
) -> Callable[[Handler], Handler]:
    """The decorator stack every entry point uses, outermost first: logger (Lambda context and
    correlation id), tracer (no response capture: responses may hold tokens), metrics."""

    def wrap(function: Handler) -> Handler:
        function = metrics.log_metrics(function)
        function = tracer.capture_lambda_handler(function, capture_response=False)
        return logger.inject_lambda_context(correlation_id_path=correlation_id_path, log_event=False)(
            function
        )

    return wrap
