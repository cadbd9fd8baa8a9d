"""Farming-knowledge posts through their handlers: who may write, pin, change and delete; every
input validated into a 4xx that names the field; crops normalised through the catalogue; the public
feed (pinned first, newest first) filtered by category, crop and language with an opaque cursor,
by Query only."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from posts_support import Gateway, PostsTable

from soko.shared import clock
from support.users import User, new_user

POST = {
    "title": "Drying maize before storage",
    "body": "Dry the grain to **13%** moisture.\n\n- use tarpaulins\n- turn it twice a day",
    "category": "agronomy",
    "crops": ["maize"],
    "language": "en",
}


@pytest.fixture
def ticking_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each write one second after the last, so 'newest first' does not rest on ULID ties."""
    start = clock.now().replace(year=2026, month=11, day=21, hour=9, minute=0, second=0)
    seconds = itertools.count()
    monkeypatch.setattr(clock, "now_iso", lambda: clock.iso(start + timedelta(seconds=next(seconds))))
    yield


def write(gateway: Gateway, user: User, **fields: Any) -> dict[str, Any]:
    return dict(gateway.post("/posts/", {**POST, **fields}, user=user).expect(201).json)


def feed(gateway: Gateway, **query: Any) -> list[dict[str, Any]]:
    """Every page of the feed, following next_cursor; asserts each page was read by Query only."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = gateway.get("/posts/", query={**query, "cursor": cursor}).expect(200).json
        assert "Scan" not in gateway.operations and "Query" in gateway.operations, gateway.operations
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


# ---------------------------------------------------------------------------- create
@pytest.mark.parametrize("role", ["farmer", "buyer", "both", "admin"])
def test_any_signed_in_user_posts_and_crops_are_normalised(
    gateway: Gateway, posts_table: PostsTable, role: str
) -> None:
    author = new_user(role)

    post = write(gateway, author, crops=["Kasooli", "corn", "beans", "matooke"], language="lg")

    assert post["author_id"] == author.id
    assert post["crops"] == ["maize_grain", "yellow_beans", "matoke"]  # Kasooli and corn: one crop
    assert post["crop_names"][0] == "Maize (grain)"
    assert (post["category"], post["language"], post["pinned"], post["media"]) == (
        "agronomy",
        "lg",
        False,
        [],
    )
    assert post["body"] == POST["body"] and post["created_at"].endswith("Z")
    assert posts_table.item_keys() == {
        (f"POST#{post['id']}", "POST"),
        (f"POST#{post['id']}", "CROP#maize_grain"),
        (f"POST#{post['id']}", "CROP#yellow_beans"),
        (f"POST#{post['id']}", "CROP#matoke"),
    }
    assert gateway.get(f"/posts/{post['id']}").expect(200).json == post


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "Hi"}, "title"),
        ({"title": None}, "title"),
        ({"body": ""}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"category": "gossip"}, "category"),
        ({"crops": ["unobtanium"]}, "crops.0"),
        ({"crops": "maize"}, "crops"),
        ({"crops": ["maize"] * 11}, "crops"),
        ({"language": "fr"}, "language"),
        ({"pinned": "yes please"}, "pinned"),
        ({"author_id": "someone-else"}, "author_id"),
    ],
)
def test_invalid_posts_are_422_naming_the_field_and_write_nothing(
    gateway: Gateway, posts_table: PostsTable, change: dict[str, Any], field: str
) -> None:
    reply = gateway.post("/posts/", {**POST, **change}, user=new_user()).expect(422, "VALIDATION_ERROR")

    assert reply.fields == {field}
    assert posts_table.items() == []


@pytest.mark.parametrize("missing", ["title", "body", "category"])
def test_a_missing_field_is_422(gateway: Gateway, missing: str) -> None:
    body = {k: v for k, v in POST.items() if k != missing}
    assert gateway.post("/posts/", body, user=new_user()).expect(422).fields == {missing}


def test_malformed_json_no_caller_and_wrong_content_type(gateway: Gateway, posts_table: PostsTable) -> None:
    gateway.post("/posts/", "{not json", user=new_user()).expect(400, "MALFORMED_JSON")
    gateway.post("/posts/", POST).expect(401, "UNAUTHORIZED")
    gateway.post("/posts/", "title=x", user=new_user(), headers={"content-type": "text/plain"}).expect(415)
    assert posts_table.items() == []


def test_only_admins_pin(gateway: Gateway, posts_table: PostsTable) -> None:
    reply = gateway.post("/posts/", {**POST, "pinned": True}, user=new_user("farmer")).expect(
        403, "FORBIDDEN"
    )
    assert reply.fields == {"pinned"}
    assert posts_table.items() == []

    assert write(gateway, new_user("admin"), pinned=True)["pinned"] is True


def test_a_retry_with_the_same_idempotency_key_creates_one_post(
    gateway: Gateway, posts_table: PostsTable
) -> None:
    author = new_user()
    headers = {"Idempotency-Key": "post-retry-0001"}
    first = gateway.post("/posts/", POST, user=author, headers=headers).expect(201).json
    again = gateway.post("/posts/", POST, user=author, headers=headers).expect(201).json

    assert again == first
    assert len([k for k in posts_table.item_keys() if k[1] == "POST"]) == 1
    changed = {**POST, "title": "Another title"}
    gateway.post("/posts/", changed, user=author, headers=headers).expect(422, "IDEMPOTENCY_KEY_REUSED")


# ---------------------------------------------------------------------------- read
def test_get_is_public_and_an_unknown_post_is_404(gateway: Gateway) -> None:
    post = write(gateway, new_user())
    assert gateway.get(f"/posts/{post['id']}").expect(200).json["id"] == post["id"]
    gateway.get("/posts/01JD0000000000000000000099").expect(404, "POST_NOT_FOUND")


@pytest.mark.usefixtures("ticking_clock")
def test_the_feed_is_public_pinned_first_then_newest_across_pages(gateway: Gateway) -> None:
    author, admin = new_user(), new_user("admin")
    old = write(gateway, author, title="Oldest post")
    pinned = write(gateway, admin, title="Pinned notice", pinned=True, category="news")
    newer = [write(gateway, author, title=f"Post number {n}") for n in range(5)]

    items = feed(gateway, limit=2)

    assert [p["id"] for p in items] == [pinned["id"], *[p["id"] for p in reversed(newer)], old["id"]]


@pytest.mark.usefixtures("ticking_clock")
def test_filters_by_category_crop_and_language_alone_and_together(gateway: Gateway) -> None:
    author = new_user()
    a = write(gateway, author, category="agronomy", crops=["maize"], language="en")
    b = write(gateway, author, category="market", crops=["maize", "beans"], language="lg")
    c = write(gateway, author, category="market", crops=["beans"], language="en")
    d = write(gateway, author, category="weather", crops=[], language="en")

    def ids(**query: Any) -> list[str]:
        return [p["id"] for p in feed(gateway, limit=1, **query)]

    assert ids() == [d["id"], c["id"], b["id"], a["id"]]
    assert ids(category="market") == [c["id"], b["id"]]
    assert ids(language="lg") == [b["id"]]
    assert ids(crop="Kasooli") == [b["id"], a["id"]]  # any crop name, normalised
    assert ids(crop="beans", language="en") == [c["id"]]
    assert ids(crop="maize", category="market", language="lg") == [b["id"]]
    assert ids(category="weather", language="en") == [d["id"]]
    assert ids(category="news") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"category": "gossip"}, "category"),
        ({"crop": "unobtanium"}, "crop"),
        ({"language": "xx"}, "language"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
    ],
)
def test_bad_filters_are_422(gateway: Gateway, query: dict[str, Any], field: str) -> None:
    assert gateway.get("/posts/", query=query).expect(422).fields == {field}


def test_a_tampered_or_foreign_cursor_is_400(gateway: Gateway) -> None:
    author = new_user()
    for _ in range(3):
        write(gateway, author, category="market")
    cursor = gateway.get("/posts/", query={"limit": 1, "category": "market"}).expect(200).json["next_cursor"]
    assert cursor

    gateway.get("/posts/", query={"limit": 1, "cursor": cursor}).expect(400, "INVALID_CURSOR")
    gateway.get("/posts/", query={"category": "market", "cursor": cursor[:-3] + "abc"}).expect(400)
    gateway.get("/posts/", query={"cursor": "not-a-cursor"}).expect(400, "INVALID_CURSOR")


# ---------------------------------------------------------------------------- change and delete
def test_the_author_and_an_admin_may_change_a_post_and_others_get_403(
    gateway: Gateway, posts_table: PostsTable
) -> None:
    author = new_user()
    post = write(gateway, author, crops=["maize", "beans"])

    before = posts_table.items()
    gateway.put(f"/posts/{post['id']}", {"title": "Not mine"}, user=new_user()).expect(403, "FORBIDDEN")
    gateway.put(f"/posts/{post['id']}", {"title": "No caller"}).expect(401)
    gateway.put("/posts/01JD0000000000000000000099", {"title": "Unknown"}, user=author).expect(
        404, "POST_NOT_FOUND"
    )
    assert posts_table.items() == before

    changed = gateway.put(f"/posts/{post['id']}", {"crops": ["cassava chips"]}, user=author).expect(200).json
    assert changed["crops"] == ["cassava_chips"] and changed["title"] == post["title"]
    assert [p["id"] for p in feed(gateway, crop="maize")] == []
    assert [p["id"] for p in feed(gateway, crop="mutere")] == [post["id"]]
    assert {sk for _, sk in posts_table.item_keys()} == {"POST", "CROP#cassava_chips"}

    by_admin = gateway.put(f"/posts/{post['id']}", {"category": "news"}, user=new_user("admin")).expect(200)
    assert by_admin.json["category"] == "news"
    assert [p["id"] for p in feed(gateway, category="news")] == [post["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"title": None}, "title"), ({"category": "gossip"}, "category"), ({"crops": ["zzzz"]}, "crops.0")],
)
def test_invalid_changes_are_422(gateway: Gateway, change: dict[str, Any], field: str) -> None:
    author = new_user()
    post = write(gateway, author)
    assert gateway.put(f"/posts/{post['id']}", change, user=author).expect(422).fields == {field}


def test_only_an_admin_pins_or_unpins_and_a_pinned_post_moves_to_the_top(gateway: Gateway) -> None:
    author, admin = new_user(), new_user("admin")
    post = write(gateway, author)
    write(gateway, author, title="A newer post")

    gateway.put(f"/posts/{post['id']}", {"pinned": True}, user=author).expect(403, "FORBIDDEN")
    gateway.put(f"/posts/{post['id']}", {"pinned": True}, user=admin).expect(200)

    assert feed(gateway)[0]["id"] == post["id"]
    edited = gateway.put(f"/posts/{post['id']}", {"title": "Edited by its author"}, user=author).expect(200)
    assert edited.json["pinned"] is True  # the author's edit keeps the pin
    gateway.put(f"/posts/{post['id']}", {"pinned": False}, user=author).expect(403)


def test_delete_by_the_author_or_an_admin_removes_every_item(
    gateway: Gateway, posts_table: PostsTable
) -> None:
    author = new_user()
    mine = write(gateway, author, crops=["maize", "beans"])
    other = write(gateway, new_user(), crops=["maize"])

    gateway.delete(f"/posts/{mine['id']}", user=new_user()).expect(403, "FORBIDDEN")
    gateway.delete("/posts/01JD0000000000000000000099", user=author).expect(404, "POST_NOT_FOUND")
    gateway.delete(f"/posts/{mine['id']}", user=author).expect(204)
    gateway.delete(f"/posts/{other['id']}", user=new_user("admin")).expect(204)

    assert posts_table.items() == []
    gateway.get(f"/posts/{mine['id']}").expect(404, "POST_NOT_FOUND")
    gateway.delete(f"/posts/{mine['id']}", user=author).expect(404)
    assert feed(gateway, crop="maize") == []
