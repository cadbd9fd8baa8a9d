"""GET /listings/ publishes SearchCameUpEmpty when a filtered search's first page is empty (the crop
and district only, never the words searched), not for a later page, an unfiltered search or a search
that found something; a bus that fails does not fail the search; and the event counts as a coverage
gap in GET /admin/metrics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from metrics_support import envelope, feed

from soko.market.events import SearchCameUpEmpty
from soko.shared.bus import EventPublisher
from soko.shared.events import EventDetail
from support.gateway import Api
from support.lambda_env import Invoke
from support.users import new_user


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[EventDetail]:
    sent: list[EventDetail] = []

    def publish(self: EventPublisher, events: Any, **_: Any) -> None:
        sent.extend(events)

    monkeypatch.setattr(EventPublisher, "publish", publish)
    return sent


def test_an_empty_filtered_search_is_reported_without_its_words(
    api: Api, published: list[EventDetail]
) -> None:
    api.get("/listings/", query={"crop": "cassava", "district": "kitgum"}).expect(200)
    api.get("/listings/", query={"q": "matooke", "district": "Gulu"}).expect(200)
    api.get("/listings/", query={"q": "zzqx secretword"}).expect(200)
    assert [e.model_dump(exclude={"event_id", "occurred_at", "schema_version"}) for e in published] == [
        {"crop": "cassava_fresh", "district": "Kitgum", "category": None, "with_query": False},
        {"crop": "matoke", "district": "Gulu", "category": None, "with_query": True},
        {"crop": None, "district": None, "category": None, "with_query": True},
    ]
    assert all(isinstance(e, SearchCameUpEmpty) for e in published)
    assert "secret" not in str([e.model_dump_json() for e in published])


def test_no_report_for_an_unfiltered_search_or_a_later_page(api: Api, published: list[EventDetail]) -> None:
    api.get("/listings/").expect(200)
    api.get("/listings/", query={"sort": "price"}).expect(200)
    assert published == []


def test_a_failing_bus_does_not_fail_the_search(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(self: EventPublisher, events: Any, **_: Any) -> None:
        raise RuntimeError("the bus is down")

    monkeypatch.setattr(EventPublisher, "publish", down)
    assert api.get("/listings/", query={"crop": "cassava"}).expect(200).json["items"] == []


def test_empty_searches_count_as_coverage_gaps(api: Api, invoke: Invoke) -> None:
    now = datetime.now(UTC)
    events = [
        envelope(SearchCameUpEmpty(crop="cassava_fresh", district="Kitgum"), now),
        envelope(SearchCameUpEmpty(crop="cassava_fresh", district="Kitgum", with_query=True), now),
        envelope(SearchCameUpEmpty(district="Gulu"), now),
        envelope(SearchCameUpEmpty(crop="not-a-crop", district="Nowhere"), now),  # counts nothing
    ]
    assert feed(invoke, events) == []
    gaps = api.get("/admin/metrics", user=new_user("admin")).expect(200).json["coverage_gaps"]
    assert gaps == [
        {"district": "Kitgum", "crop": "cassava_fresh", "searches": 2},
        {"district": "Gulu", "crop": None, "searches": 1},
    ]
