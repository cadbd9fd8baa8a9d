"""Fixtures for the shared-code suite (soko.shared and soko.identity)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest

from soko.shared.observability import logger


@pytest.fixture
def log_output(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[Callable[[], str]]:
    """Everything logged during the test, at DEBUG and up, as one string.

    The Powertools logger keeps the ``sys.stdout`` it saw at import (so ``capsys`` alone misses it)
    and does not propagate (so ``caplog`` alone misses it): its handler is pointed at a buffer, and
    stdout, stderr and every propagating logger (boto, Powertools internals) are read as well.
    """
    buffer = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous_stream = handler.setStream(buffer)
    previous_level = logger.log_level
    logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)

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
