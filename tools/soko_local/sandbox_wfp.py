"""Sandbox twin of the WFP market-price feed (HDX's CSV), for the scheduled ingestion,
served by the local runtime under ``/_sandbox/wfp``."""

from __future__ import annotations

from werkzeug.wrappers import Request, Response


class Twin:
    def dispatch(self, request: Request, path: str) -> Response | None:
        """The answer for ``path`` (the request path without ``/_sandbox``), or None when not ours."""
        return None


def parameter_overrides(base_url: str, prefix: str) -> dict[str, str]:
    """Template parameters that point the adapter at this twin."""
    return {}
