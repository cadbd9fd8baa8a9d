"""Fixtures for the shared-code suite (soko.shared and soko.identity)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from support.logs import capture_logs


@pytest.fixture
def log_output(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[Callable[[], str]]:
    """Everything logged during the test, at DEBUG and up (every logger), as one string."""
    with capture_logs(capsys, caplog, {None: logging.DEBUG}) as read:
        yield read
