"""Everything logged during a test, as one string."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable, Iterator

import pytest

from soko.shared.observability import logger


@contextlib.contextmanager
def capture_logs(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, levels: dict[str | None, int]
) -> Iterator[Callable[[], str]]:
    """The Powertools logger keeps the ``sys.stdout`` it saw at import (so ``capsys`` alone misses it)
    and does not propagate (so ``caplog`` alone misses it): its handler is pointed at a buffer at
    DEBUG; stdout, stderr and the propagating loggers are read as well, at ``levels`` (logger name ->
    level, None = root)."""
    buffer = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous_stream = handler.setStream(buffer)
    previous_level = logger.log_level
    logger.setLevel(logging.DEBUG)
    for name, level in levels.items():
        caplog.set_level(level, logger=name)
    streams: list[str] = []

    def read() -> str:
        captured = capsys.readouterr()  # consumes what it returns: keep it for the next read
        streams.extend((captured.out, captured.err))
        return "\n".join((buffer.getvalue(), *streams, caplog.text))

    try:
        yield read
    finally:
        handler.setStream(previous_stream)
        logger.setLevel(previous_level)
