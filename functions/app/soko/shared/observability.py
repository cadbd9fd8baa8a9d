"""One observability setup for every function: Powertools Logger and Metrics, correlation ids, the
fixed decorator order, and tracing that keeps the X-Ray SDK off the cold path (:class:`LazyTracer`).
Events, bodies and tokens are never logged."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Generator
from numbers import Number
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths

from soko.shared import snapstart  # noqa: F401  (registers the SnapStart hooks in every function)

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

logger = Logger(utc=True)
metrics = Metrics()
# Most functions publish no custom metric on most invocations; that is not worth a warning each time.
warnings.filterwarnings("ignore", message="No application metrics to publish")

_OFF = ("1", "true", "yes", "on")


class _NoopSegment:
    """What :func:`traced` yields when tracing is off: accepts annotations and drops them."""

    def put_annotation(self, key: str, value: str | Number | bool) -> None: ...
    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...
    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None: ...


class LazyTracer:
    """Tracing without the X-Ray SDK on the cold path.

    Every function runs with ``Tracing: Active``: Lambda itself records each invocation's segment
    (Initialization, Invocation, Overhead, errors), which needs no code. Powertools' ``Tracer`` (the
    X-Ray SDK, about 150 ms of import plus botocore) is created only when a traced path first runs
    (:func:`traced`): from then on it also patches botocore, so the AWS calls of that environment
    show as subsegments too. Off outside Lambda and with ``POWERTOOLS_TRACE_DISABLED``."""

    def __init__(self) -> None:
        self._tracer: Tracer | None = None

    @property
    def enabled(self) -> bool:
        if os.getenv("POWERTOOLS_TRACE_DISABLED", "false").lower() in _OFF:
            return False
        return bool(os.getenv("AWS_LAMBDA_FUNCTION_NAME")) and not os.getenv("AWS_SAM_LOCAL")

    @property
    def created(self) -> bool:
        return self._tracer is not None

    def get(self) -> Tracer:
        """Powertools' Tracer, created (and botocore patched) on the first call."""
        if self._tracer is None:
            from aws_lambda_powertools import Tracer  # noqa: PLC0415  (X-Ray SDK: only on traced paths)

            self._tracer = Tracer()
        return self._tracer

    @contextlib.contextmanager
    def span(self, name: str) -> Generator[Any]:
        if not self.enabled:
            yield _NoopSegment()
            return
        with self.get().provider.in_subsegment(name=name) as subsegment:
            yield subsegment


tracer = LazyTracer()


def traced(name: str) -> contextlib.AbstractContextManager[Any]:
    """An X-Ray subsegment around a slow or external step (a provider call, a model load); a no-op
    when tracing is off. The first one in an execution environment loads the X-Ray SDK."""
    return tracer.span(name)


type Handler = Callable[[dict[str, Any], Any], Any]


def lambda_entry(
    correlation_id_path: str | None = correlation_paths.API_GATEWAY_HTTP,
) -> Callable[[Handler], Handler]:
    """The decorator stack every entry point uses, outermost first: logger (Lambda context and
    correlation id), metrics. Tracing is Lambda's own (``Tracing: Active``) plus :func:`traced`
    subsegments; no handler subsegment, so no X-Ray SDK on the cold path."""

    def wrap(function: Handler) -> Handler:
        function = metrics.log_metrics(function)
        return logger.inject_lambda_context(correlation_id_path=correlation_id_path, log_event=False)(
            function
        )

    return wrap
