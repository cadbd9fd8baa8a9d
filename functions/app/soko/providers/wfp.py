"""WFP's food prices for Uganda as HDX publishes them (a CSV, updated about monthly): a conditional GET.

The feed's URL is a template parameter (``WfpFeedUrl``; docs/providers.md). The last download's
``ETag`` and ``Last-Modified`` are sent back as ``If-None-Match`` / ``If-Modified-Since``, so an
unchanged file costs one 304 and no parsing. Unreachable, 429 and 5xx answers are retried
(:func:`soko.providers.http.request_with_retries`), then raise :class:`WfpFeedError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from soko.providers import http

TIMEOUT_SECONDS = 60.0  # the whole country's file is a few MB
MAX_BYTES = 64 * 1024 * 1024


class WfpFeedError(http.ProviderError):
    """The feed could not be downloaded (after retries) or answered something unusable."""


@dataclass(frozen=True)
class FeedVersion:
    """What identifies a download of the file (either may be absent)."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FeedDownload:
    text: str
    version: FeedVersion


class WfpFeed:
    def __init__(self, url: str, *, attempts: int = 3, backoff_seconds: float = 1.0) -> None:
        if not url.startswith(("https://", "http://")):
            raise WfpFeedError("the WFP feed URL must be http(s)")
        self.url = url
        self._attempts = attempts
        self._backoff = backoff_seconds

    def download(self, since: FeedVersion | None = None) -> FeedDownload | None:
        """The file, or None when it has not changed since ``since`` (304)."""
        headers = {"Accept": "text/csv, */*;q=0.5"}
        if since and since.etag:
            headers["If-None-Match"] = since.etag
        if since and since.last_modified:
            headers["If-Modified-Since"] = since.last_modified
        try:
            response = http.request_with_retries(
                "GET",
                self.url,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
                attempts=self._attempts,
                backoff_seconds=self._backoff,
            )
        except http.ProviderError as err:
            raise WfpFeedError(f"the WFP feed is unreachable: {err}") from err
        if response.status == 304:
            return None
        if response.status != 200:
            raise WfpFeedError(f"the WFP feed answered {response.status}")
        if len(response.body) > MAX_BYTES:
            raise WfpFeedError("the WFP feed's file is larger than expected")
        try:
            text = response.body.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise WfpFeedError("the WFP feed's file is not UTF-8 text") from err
        return FeedDownload(text, FeedVersion(response.header("ETag"), response.header("Last-Modified")))
