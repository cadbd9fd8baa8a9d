"""The WFP feed's sandbox twin, and the feed adapter (soko.providers.wfp) against it over real HTTP:
HDX's layout with its HXL row, ETag and 304, a deterministic published month, faults, retries."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from soko.ml import wfp
from soko.providers import http
from soko.providers.wfp import FeedVersion, WfpFeed, WfpFeedError
from soko_local import sandbox_wfp
from soko_tools.wfp import read_wfp


class Served:
    def __init__(self) -> None:
        self.twin = sandbox_wfp.Twin()
        self.requests: list[dict[str, str]] = []
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/_sandbox"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(dict(request.headers))
        answer = self.twin.dispatch(request, request.path.removeprefix("/_sandbox")) or Response(status=404)
        return answer(environ, start_response)

    @property
    def feed_url(self) -> str:
        return sandbox_wfp.parameter_overrides(self.url.removesuffix("/_sandbox"), "/_sandbox")["WfpFeedUrl"]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setattr(http, "_sleep", lambda _: None)
    server = Served()
    yield server
    server._server.shutdown()


def test_the_twin_serves_the_shipped_series_in_hdx_layout_and_the_adapter_reads_it(served: Served) -> None:
    feed = WfpFeed(served.feed_url)
    download = feed.download()
    assert download is not None and download.version.etag and download.version.last_modified
    lines = download.text.splitlines()
    assert lines[0].startswith("date,admin1,admin2,market,market_id") and lines[1].startswith(
        "#date,#adm1+name"
    )
    assert wfp.parse_text(download.text) == read_wfp()  # one parser, the same observations

    assert feed.download(download.version) is None  # unchanged: 304
    assert served.requests[-1]["If-None-Match"] == download.version.etag
    assert served.requests[-1]["If-Modified-Since"] == download.version.last_modified


def test_a_published_month_is_deterministic_and_changes_the_etag(served: Served) -> None:
    feed = WfpFeed(served.feed_url)
    first = feed.download()
    assert first is not None
    body = {"markets": ["Gulu"], "commodities": ["Beans"]}
    month = requests.post(f"{served.url}/wfp/_publish", json=body, timeout=5).json()
    [row] = month["rows"]
    assert (row["date"], row["market"], row["commodity"]) == ("2026-05-15", "Gulu", "Beans")
    assert abs(float(row["price_ugx_per_kg"]) / 4956 - 1) <= sandbox_wfp.MOVE

    again = sandbox_wfp.Twin()  # the same request on the same data: the same prices
    reply = again.dispatch(_post("/wfp/_publish", body), "/wfp/_publish")
    assert reply is not None and reply.get_json()["rows"] == [row]

    newer = feed.download(first.version)
    assert newer is not None and newer.version.etag != first.version.etag
    assert len(wfp.parse_text(newer.text)) == len(read_wfp()) + 1


def test_bad_controls_are_refused(served: Served) -> None:
    assert requests.post(f"{served.url}/wfp/_publish", data="[", timeout=5).status_code == 400
    assert (
        requests.post(f"{served.url}/wfp/_publish", json={"markets": ["Nowhere"]}, timeout=5).status_code
        == 400
    )
    bad_row = {"rows": [{"date": "2026-05-15", "market": "Gulu", "commodity": "Beans", "price": -1}]}
    assert requests.post(f"{served.url}/wfp/_publish", json=bad_row, timeout=5).status_code == 400
    assert requests.post(f"{served.url}/wfp/_faults", json={"status": 200}, timeout=5).status_code == 400


def test_faults_are_retried_then_reported(served: Served) -> None:
    feed = WfpFeed(served.feed_url)
    requests.post(f"{served.url}/wfp/_faults", json={"fail_next": 2, "status": 502}, timeout=5)
    assert feed.download() is not None  # two 502s, then the file
    requests.post(f"{served.url}/wfp/_faults", json={"fail_next": 3}, timeout=5)
    with pytest.raises(WfpFeedError, match="503"):
        feed.download(FeedVersion())
    state = requests.get(f"{served.url}/wfp/_state", timeout=5).json()
    assert state["faults"] == 0 and state["rows"] == len(sandbox_wfp.SHIPPED.read_text().splitlines()) - 1


def test_an_unreachable_feed_is_a_feed_error() -> None:
    with pytest.raises(WfpFeedError, match="unreachable"):
        WfpFeed("http://127.0.0.1:9/x.csv", attempts=1).download()
    with pytest.raises(WfpFeedError):
        WfpFeed("file:///etc/passwd")


def _post(path: str, body: dict[str, Any]) -> Request:
    from werkzeug.test import EnvironBuilder  # noqa: PLC0415

    return Request(EnvironBuilder(path=f"/_sandbox{path}", method="POST", json=body).get_environ())
