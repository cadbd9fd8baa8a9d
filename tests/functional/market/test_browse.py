"""GET /listings/: filters, sorts, pagination, typo-tolerant search and cursors, against 30 listings
created through the create handler (across crops, districts, prices and three farmers), three of
them then hidden: one sold out by its farmer, one bought out by an order, one withdrawn.

Every expectation is computed by brute force from what was created. Every browse request is
watched: it must Query an index and never Scan (``market_support.Api.request``).

What ``q`` tolerates (``logic.phonetic``: lower-case letters, ``ph``->f, ``ck``->k, c/q->k, z->s,
v->f, then the first letter and the consonants after it, vowels, h, w and y dropped, repeats
collapsed). A crop name is tried first (``crops.find``: 1 typo up to 6 letters, 2 above):

- a crop with a typo becomes the crop filter: ``maze`` finds maize, ``matooke`` matoke, ``beens`` beans;
- a title word matches when it has the same consonant skeleton: ``dryed``, ``dreid`` and ``driied``
  find "dried", ``SUN`` finds "Sun";
- a dropped or changed consonant does not: ``drie`` (key ``dr``) does not find "dried" (``drd``), nor
  does a prefix (``dri``); words under 3 letters are not searched.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from market_support import Market, MarketTable, OperationRecorder, empty_all

from soko.shared import crops
from support.gateway import Api
from support.users import User, new_user

SHARED_DATA = True  # the catalogue below is seeded once for the whole module

CROPS_TYPED = ["maize", "maze", "corn", "kasooli", "matooke", "matoke", "beans", "rice", "coffee", "cassava"]
DISTRICTS = ["Gulu", "Kampala", "Mbale", "Lira"]
PRICES = [1200, 800, 1500, 1200, 3000, 2500, 900, 4000, 1500, 700, 1100, 2000, 1200, 650, 5000]
PRICES += [1800, 950, 2200, 1300, 3500, 1200, 1000, 2700, 600, 1500, 4200, 1250, 1600, 800, 2100]
SOLD_OUT_BY_FARMER, BOUGHT_OUT, WITHDRAWN, PARTLY_SOLD = 3, 7, 11, 5


def title(i: int, crop: str, district: str) -> str:
    return {0: f"Sun dried {crop}", 1: f"Fresh {crop} from {district}"}.get(
        i % 5, f"{crop.title()} grade {i}"
    )


@dataclass
class Catalogue:
    farmers: list[User]
    listings: list[dict[str, Any]]  # as created (index i), with the current quantity
    hidden: set[str]

    @property
    def visible(self) -> list[dict[str, Any]]:
        return [listing for listing in self.listings if listing["id"] not in self.hidden]

    def expected(self, *, sort: str = "newest", title_word: str | None = None, **query: Any) -> list[str]:
        """The ids a correct browse returns, in order, by brute force over what was created."""
        rows = [listing for listing in self.visible if _matches(listing, query, title_word)]
        if sort == "newest":
            rows.sort(key=lambda listing: (listing["created_at"], listing["id"]), reverse=True)
        else:
            rows.sort(key=lambda listing: (listing["price_per_kg"], listing["id"]), reverse=sort == "-price")
        return [listing["id"] for listing in rows]


def _matches(listing: dict[str, Any], query: dict[str, Any], title_word: str | None) -> bool:
    crop = crops.find(query["crop"]).id if "crop" in query else None  # type: ignore[union-attr]
    return (
        (crop is None or listing["crop"] == crop)
        and query.get("district", listing["district"]) == listing["district"]
        and query.get("category", listing["category"]) == listing["category"]
        and query.get("farmer_id", listing["farmer_id"]) == listing["farmer_id"]
        and listing["price_per_kg"] >= query.get("min_price", 0)
        and listing["price_per_kg"] <= query.get("max_price", 10**12)
        and (title_word is None or title_word in _words(listing))
    )


def _words(listing: dict[str, Any]) -> set[str]:
    """What ``q`` searches: the title's words and the words of the crop's names."""
    crop = crops.by_id(listing["crop"])
    names = " ".join(crop.names if crop else ()).lower().replace("(", " ").replace(")", " ")
    return {*listing["title"].lower().split(), *names.split()}


@pytest.fixture(scope="module")
def catalogue(api: Api, deployment: Any, market_table: MarketTable) -> Catalogue:
    empty_all(deployment, market_table)
    market = Market(api, market_table)
    farmers = [new_user("farmer"), new_user("farmer"), new_user("both")]
    listings = []
    for i, price in enumerate(PRICES):
        crop, district = CROPS_TYPED[i % len(CROPS_TYPED)], DISTRICTS[i % len(DISTRICTS)]
        listing = market.listing(
            farmers[i % 3], crop=crop, district=district, price=price, kg="50", title=title(i, crop, district)
        )
        listings.append(listing)
    buyer = new_user("buyer")
    api.put(f"/listings/{listings[SOLD_OUT_BY_FARMER]['id']}", {"quantity_kg": 0}, user=farmers[0]).expect(
        200
    )
    for _ in range(2):  # one buyer may hold at most half a listing open (MaxOpenShareOfListing)
        market.order(new_user("buyer"), listings[BOUGHT_OUT]["id"], "25")
    market.order(buyer, listings[PARTLY_SOLD]["id"], "20.5")
    api.delete(f"/listings/{listings[WITHDRAWN]['id']}", user=farmers[WITHDRAWN % 3]).expect(204)
    listings[PARTLY_SOLD]["quantity_kg"] = "29.500"
    hidden = {listings[i]["id"] for i in (SOLD_OUT_BY_FARMER, BOUGHT_OUT, WITHDRAWN)}
    return Catalogue(farmers, listings, hidden)


def page(api: Api, **query: Any) -> dict[str, Any]:
    return dict(api.get("/listings/", query=query).expect(200).json)


def browse_all(api: Api, **query: Any) -> list[str]:
    found = page(api, limit=100, **query)
    assert found["next_cursor"] is None
    return [item["id"] for item in found["items"]]


def walk(api: Api, limit: int, **query: Any) -> list[str]:
    """Every page of a list, following next_cursor; checks page sizes and that nothing repeats."""
    ids: list[str] = []
    cursor = None
    for _ in range(60):
        found = page(api, limit=limit, cursor=cursor, **query)
        ids += [item["id"] for item in found["items"]]
        cursor = found["next_cursor"]
        if cursor is None:
            assert len(found["items"]) <= limit
            break
        assert len(found["items"]) == limit, "only the last page may be short"
    else:
        pytest.fail("pagination did not end")
    assert len(ids) == len(set(ids)), "a listing came twice"
    return ids


# ---------------------------------------------------------------------------- the seeded data
def test_the_catalogue_is_what_the_tests_expect(catalogue: Catalogue, market_table: MarketTable) -> None:
    assert len(catalogue.listings) == 30 and len(catalogue.visible) == 27
    assert {listing["crop"] for listing in catalogue.listings} == {
        "maize_grain",
        "matoke",
        "yellow_beans",
        "rice",
        "coffee",
        "cassava_fresh",
    }
    assert market_table.grams(catalogue.listings[PARTLY_SOLD]["id"]) == 29_500
    assert market_table.grams(catalogue.listings[BOUGHT_OUT]["id"]) == 0


# ---------------------------------------------------------------------------- filters and sorts
FILTERS: list[dict[str, Any]] = [
    {},
    {"crop": "maize"},
    {"crop": "kasooli"},
    {"crop": "matooke"},
    {"district": "Gulu"},
    {"district": "lira"},
    {"category": "legumes"},
    {"category": "grains"},
    {"min_price": 1500},
    {"max_price": 1200},
    {"min_price": 1000, "max_price": 2500},
    {"min_price": 1200, "max_price": 1200},
    {"farmer_id": 0},
    {"farmer_id": 2},
    {"crop": "maize", "district": "Gulu"},
    {"crop": "matoke", "district": "Mbale"},
    {"crop": "corn", "min_price": 1000, "max_price": 3000},
    {"district": "Kampala", "category": "fruit_veg"},
    {"district": "Kampala", "max_price": 2000},
    {"farmer_id": 1, "crop": "maize"},
    {"farmer_id": 0, "district": "Lira", "min_price": 700},
    {"category": "cash", "max_price": 4000},
]


def _resolve(catalogue: Catalogue, query: dict[str, Any]) -> dict[str, Any]:
    """The query with farmer numbers replaced by the seeded farmers' ids."""
    if isinstance(query.get("farmer_id"), int):
        query = {**query, "farmer_id": catalogue.farmers[query["farmer_id"]].id}
    return query


def _canonical(query: dict[str, Any]) -> dict[str, Any]:
    """The query as the brute force compares it (districts are case-insensitive)."""
    return {**query, "district": query["district"].title()} if "district" in query else query


@pytest.mark.parametrize("sort", ["newest", "price", "-price"])
@pytest.mark.parametrize("query", FILTERS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "all")
def test_each_filter_alone_and_combined_in_each_sort(
    api: Api, catalogue: Catalogue, query: dict[str, Any], sort: str
) -> None:
    query = _resolve(catalogue, query)
    expected = catalogue.expected(sort=sort, **_canonical(query))

    assert browse_all(api, sort=sort, **query) == expected
    assert expected, "a filter that matches nothing proves little"


def test_newest_is_the_default_sort(api: Api, catalogue: Catalogue) -> None:
    assert browse_all(api) == catalogue.expected(sort="newest")
    assert len(browse_all(api)) == 27


def test_items_are_full_listings_with_current_stock(api: Api, catalogue: Catalogue) -> None:
    items = {item["id"]: item for item in page(api, limit=100)["items"]}
    partly = catalogue.listings[PARTLY_SOLD]

    assert items[partly["id"]] == {**partly, "quantity_kg": "29.500"}
    assert all(item["status"] == "active" and item["quantity_kg"] != "0.000" for item in items.values())


def test_an_unknown_farmer_has_no_listings(api: Api, catalogue: Catalogue) -> None:
    assert browse_all(api, farmer_id=new_user("farmer").id) == []


def test_sold_out_bought_out_and_withdrawn_listings_are_in_no_list(api: Api, catalogue: Catalogue) -> None:
    seen: set[str] = set()
    for sort in ("newest", "price", "-price"):
        seen.update(browse_all(api, sort=sort))
    for index in (SOLD_OUT_BY_FARMER, BOUGHT_OUT, WITHDRAWN):
        listing = catalogue.listings[index]
        seen.update(browse_all(api, crop=listing["crop"]))
        seen.update(browse_all(api, district=listing["district"], sort="price"))
        seen.update(browse_all(api, farmer_id=listing["farmer_id"], sort="-price"))

    assert seen == {listing["id"] for listing in catalogue.visible}
    assert not seen & catalogue.hidden


# ---------------------------------------------------------------------------- pagination
WALKS: list[tuple[dict[str, Any], int]] = [
    ({"sort": "newest"}, 4),
    ({"sort": "price"}, 4),
    ({"sort": "-price"}, 5),
    ({"sort": "price", "crop": "maize"}, 2),
    ({"sort": "newest", "district": "Gulu"}, 3),
    ({"sort": "-price", "min_price": 900, "max_price": 2500}, 4),
    ({"sort": "newest", "min_price": 900, "max_price": 2500}, 4),
    ({"sort": "price", "farmer_id": 1}, 3),
    ({"sort": "newest", "category": "grains", "max_price": 2000}, 2),
    ({"sort": "newest", "category": "cash"}, 1),
    ({"sort": "newest", "q": "dried"}, 2),
]


@pytest.mark.parametrize(("query", "limit"), WALKS, ids=str)
def test_walking_every_page_returns_each_listing_once_in_order(
    api: Api, catalogue: Catalogue, query: dict[str, Any], limit: int
) -> None:
    query = _resolve(catalogue, query)
    title_word = query.pop("q", None)
    search = {"q": title_word} if title_word else {}

    ids = walk(api, limit, **query, **search)

    assert ids == catalogue.expected(title_word=title_word, **_canonical(query))
    assert len(ids) > limit, "the walk should span several pages"


# ---------------------------------------------------------------------------- search
@pytest.mark.parametrize(
    ("q", "crop"),
    [("maze", "maize"), ("Maize", "maize"), ("kasooli", "maize"), ("matooke", "matoke"), ("beens", "beans")],
)
def test_q_naming_a_crop_with_a_typo_finds_that_crop(
    api: Api, catalogue: Catalogue, q: str, crop: str
) -> None:
    expected = catalogue.expected(crop=crop)

    assert browse_all(api, q=q) == expected
    assert expected


@pytest.mark.parametrize(
    "q", ["dried", "DRIED", "dryed", "dreid", "driied", "dired", "sun dried", "dried sun"]
)
def test_q_matches_title_words_that_sound_the_same(api: Api, catalogue: Catalogue, q: str) -> None:
    expected = catalogue.expected(title_word="dried")

    assert browse_all(api, q=q) == expected
    assert len(expected) == 6


@pytest.mark.parametrize(("q", "word"), [("drie", "dry"), ("dri", "dry"), ("DRY", "dry")])
def test_q_missing_a_consonant_matches_another_word(
    api: Api, catalogue: Catalogue, q: str, word: str
) -> None:
    """``drie`` sounds like ``dry`` (key ``dr``: in the maize and beans synonyms "dry maize" and
    "dry beans"), not like the title word ``dried`` (``drd``)."""
    expected = catalogue.expected(title_word=word)

    assert browse_all(api, q=q) == expected
    crops_found = {listing["crop"] for listing in catalogue.visible if listing["id"] in expected}
    assert crops_found == {"maize_grain", "yellow_beans"}
    dried_titles = {listing["id"] for listing in catalogue.visible if "dried" in listing["title"]}
    assert dried_titles - set(expected), "some 'dried' titles are not maize or beans"


@pytest.mark.parametrize("q", ["tried", "drieds", "dried frozen"])
def test_q_does_not_match_a_word_with_another_consonant(api: Api, catalogue: Catalogue, q: str) -> None:
    assert browse_all(api, q=q) == []


def test_q_combines_with_filters(api: Api, catalogue: Catalogue) -> None:
    assert browse_all(api, q="fresh", district="Kampala") == catalogue.expected(
        title_word="fresh", district="Kampala"
    )
    assert browse_all(api, q="maze", district="Gulu", sort="price") == catalogue.expected(
        crop="maize", district="Gulu", sort="price"
    )
    assert browse_all(api, q="maize", crop="rice") == []  # two different crops: nothing matches


@pytest.mark.parametrize("q", ["zz", "42"])
def test_q_that_cannot_match_any_title_returns_nothing(api: Api, catalogue: Catalogue, q: str) -> None:
    assert browse_all(api, q=q) == []


@pytest.mark.parametrize("sort", ["price", "-price"])
def test_max_price_zero_matches_nothing_in_price_order(api: Api, catalogue: Catalogue, sort: str) -> None:
    assert browse_all(api, max_price=0, sort=sort) == []


def test_max_price_zero_matches_nothing_newest_first(api: Api, catalogue: Catalogue) -> None:
    assert browse_all(api, max_price=0) == []


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"min_price": 3000, "max_price": 1000}, "min_price"),
        ({"min_price": 3000, "max_price": 1000, "sort": "price"}, "min_price"),
        ({"crop": "avocado"}, "crop"),
        ({"district": "Atlantis"}, "district"),
        ({"category": "toys"}, "category"),
        ({"sort": "cheapest"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"min_price": -1}, "min_price"),
        ({"max_price": "cheap"}, "max_price"),
        ({"q": "m"}, "q"),
        ({"farmer_id": "f" * 41}, "farmer_id"),
    ],
)
def test_bad_query_values_are_422_naming_the_field(
    api: Api, catalogue: Catalogue, query: dict[str, Any], field: str
) -> None:
    reply = api.get("/listings/", query=query).expect(422)

    assert reply.fields == {field}


def _cursor(api: Api, **query: Any) -> str:
    cursor = page(api, limit=2, **query)["next_cursor"]
    assert cursor
    return str(cursor)


def _decode(cursor: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))))


def _encode(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


TAMPERING: dict[str, Callable[[str], str]] = {
    "garbage": lambda c: "not-a-cursor",
    "truncated": lambda c: c[: len(c) // 2],
    "a character changed": lambda c: c[:10] + ("A" if c[10] != "A" else "B") + c[11:],
    "appended": lambda c: c + "xyz",
    "not base64 json": lambda c: base64.urlsafe_b64encode(b"[1, 2, 3]").decode(),
    "another version": lambda c: _encode({**_decode(c), "v": 2}),
    "a key left out": lambda c: _encode({**_decode(c), "k": dict(list(_decode(c)["k"].items())[1:])}),
    "a key added": lambda c: _encode({**_decode(c), "k": {**_decode(c)["k"], "gsi1pk": ["s", "X"]}}),
    "a bad number": lambda c: _encode({**_decode(c), "k": {**_decode(c)["k"], "sk": ["n", "NaN"]}}),
}


@pytest.mark.parametrize("how", TAMPERING)
def test_a_tampered_cursor_is_400(api: Api, catalogue: Catalogue, how: str) -> None:
    cursor = TAMPERING[how](_cursor(api, sort="price"))

    reply = api.get("/listings/", query={"sort": "price", "limit": 2, "cursor": cursor}).expect(
        400, "INVALID_CURSOR"
    )
    assert reply.fields == {"cursor"}


def test_a_cursor_forged_with_a_number_key_is_400_not_500(api: Api, catalogue: Catalogue) -> None:
    """A well-formed cursor whose sort key is a number: DynamoDB would refuse it as a start key."""
    payload = _decode(_cursor(api, sort="price"))
    payload["k"]["gsi5sk"] = ["n", "5"]

    api.get("/listings/", query={"sort": "price", "limit": 2, "cursor": _encode(payload)}).expect(
        400, "INVALID_CURSOR"
    )


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ({"crop": "maize"}, {"crop": "rice"}),
        ({"crop": "maize"}, {}),
        ({}, {"district": "Gulu"}),
        ({"sort": "price"}, {"sort": "newest"}),
        ({"sort": "price"}, {"sort": "-price"}),
        ({"min_price": 500}, {"min_price": 600}),
        ({"farmer_id": 0}, {"farmer_id": 1}),
        ({"q": "dried"}, {"q": "fresh"}),
    ],
    ids=str,
)
def test_a_cursor_reused_with_other_filters_is_400(
    api: Api, catalogue: Catalogue, first: dict[str, Any], then: dict[str, Any]
) -> None:
    cursor = _cursor(api, **_resolve(catalogue, first))

    api.get("/listings/", query={**_resolve(catalogue, then), "limit": 2, "cursor": cursor}).expect(
        400, "INVALID_CURSOR"
    )


def test_a_cursor_with_another_page_size_continues_the_same_list(api: Api, catalogue: Catalogue) -> None:
    first = page(api, limit=5, sort="price")
    rest = page(api, limit=100, sort="price", cursor=first["next_cursor"])

    ids = [item["id"] for item in first["items"] + rest["items"]]
    assert ids == catalogue.expected(sort="price")


def test_a_synonym_makes_the_same_list_as_its_crop(api: Api, catalogue: Catalogue) -> None:
    cursor = _cursor(api, crop="maize")

    api.get("/listings/", query={"crop": "corn", "limit": 2, "cursor": cursor}).expect(200)


# ---------------------------------------------------------------------------- never a Scan
def test_the_operation_recorder_sees_a_scan(operations: OperationRecorder, market_table: MarketTable) -> None:
    operations.recording = True
    try:
        market_table.items()
    finally:
        operations.recording = False
    assert "Scan" in operations.calls  # so the guard below could fail


def test_no_browse_request_in_this_suite_scanned(operations: OperationRecorder) -> None:
    """Runs last in this module: every browse request so far was recorded and none scanned."""
    assert operations.browse_calls
    assert any("Query" in calls for calls in operations.browse_calls)
    assert not [calls for calls in operations.browse_calls if "Scan" in calls]
    # PutEvents: SearchCameUpEmpty, when a filtered search's first page is empty (for analytics)
    assert {op for calls in operations.browse_calls for op in calls} <= {
        "Query",
        "GetSecretValue",
        "PutEvents",
    }
