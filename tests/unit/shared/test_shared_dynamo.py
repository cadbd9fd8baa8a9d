"""soko.shared.dynamo: query_page against a moto table (a throwaway pk/sk table made here, not one
of the template's tables), plus plain() and the throttling mapping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from soko.shared import cursor, dynamo
from soko.shared.errors import DependencyUnavailable, InvalidCursor

REGION = "us-east-1"
KEYS = frozenset({"pk", "sk"})


def make_table(name: str, sort_key_type: str = "S") -> Any:
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": sort_key_type},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return dynamo.table(name)


@pytest.fixture
def listings(aws: None) -> Any:
    table = make_table("shared-test-listings")
    with table.batch_writer() as batch:
        for i in range(25):
            batch.put_item(Item={"pk": "DISTRICT#Gulu", "sk": f"LISTING#{i:03d}", "price": 1000 + i})
        for i in range(5):
            batch.put_item(Item={"pk": "DISTRICT#Mbale", "sk": f"LISTING#{i:03d}", "price": 5})
    return table


def gulu_page(table: Any, token: str | None, *, scope: str = "listings:district=Gulu") -> dynamo.Page:
    return dynamo.query_page(
        table,
        scope=scope,
        key_names=KEYS,
        limit=10,
        cursor_token=token,
        KeyConditionExpression=Key("pk").eq("DISTRICT#Gulu"),
    )


def all_pages(table: Any) -> list[dynamo.Page]:
    pages = [gulu_page(table, None)]
    while pages[-1].next_cursor is not None:
        assert len(pages) < 10, "pagination does not terminate"
        pages.append(gulu_page(table, pages[-1].next_cursor))
    return pages


def test_pages_through_25_items_with_limit_10(listings: Any) -> None:
    pages = all_pages(listings)

    assert [len(p.items) for p in pages] == [10, 10, 5]
    sort_keys = [item["sk"] for p in pages for item in p.items]
    assert sort_keys == [f"LISTING#{i:03d}" for i in range(25)]  # in order, none twice, none missing
    assert len(set(sort_keys)) == 25
    assert {item["pk"] for p in pages for item in p.items} == {"DISTRICT#Gulu"}
    assert pages[0].next_cursor is not None
    assert pages[1].next_cursor is not None
    assert pages[-1].next_cursor is None


def test_next_cursor_is_opaque_and_scoped(listings: Any) -> None:
    token = gulu_page(listings, None).next_cursor
    assert token is not None

    assert "LISTING" not in token
    assert cursor.decode(token, scope="listings:district=Gulu", key_names=KEYS) == {
        "pk": "DISTRICT#Gulu",
        "sk": "LISTING#009",
    }


def test_cursor_from_another_scope_is_400(listings: Any) -> None:
    mbale = dynamo.query_page(
        listings,
        scope="listings:district=Mbale",
        key_names=KEYS,
        limit=2,
        cursor_token=None,
        KeyConditionExpression=Key("pk").eq("DISTRICT#Mbale"),
    )
    assert mbale.next_cursor is not None

    with pytest.raises(InvalidCursor) as raised:
        gulu_page(listings, mbale.next_cursor)

    assert (raised.value.status, raised.value.code) == (400, "INVALID_CURSOR")


def test_cursor_with_other_key_names_is_400(listings: Any) -> None:
    index_cursor = cursor.encode(
        {"pk": "DISTRICT#Gulu", "sk": "LISTING#003", "gsi1pk": "CROP#maize"}, scope="listings:district=Gulu"
    )

    with pytest.raises(InvalidCursor):
        gulu_page(listings, index_cursor)


def test_tampered_cursor_is_400_not_a_500(listings: Any) -> None:
    token = gulu_page(listings, None).next_cursor
    assert token is not None

    with pytest.raises(InvalidCursor):
        gulu_page(listings, token[:-4])


def test_cursor_cannot_read_outside_the_queried_partition(listings: Any) -> None:
    # A cursor is validated for its scope and key names, but the query's own partition key still
    # bounds the result: a start key pointing into Mbale cannot make a Gulu query return Mbale items.
    foreign_key = cursor.encode({"pk": "DISTRICT#Mbale", "sk": "LISTING#000"}, scope="listings:district=Gulu")

    try:
        page = gulu_page(listings, foreign_key)
    except ClientError:
        return  # real DynamoDB refuses a start key outside the key condition (moto does not)
    assert all(item["pk"] == "DISTRICT#Gulu" for item in page.items)


def test_numeric_sort_keys_page_through_decimal_cursors(aws: None) -> None:
    table = make_table("shared-test-prices", sort_key_type="N")
    with table.batch_writer() as batch:
        for i in range(7):
            batch.put_item(Item={"pk": "CROP#maize", "sk": Decimal(i) / 2})

    seen: list[Decimal] = []
    token: str | None = None
    for _ in range(5):
        page = dynamo.query_page(
            table,
            scope="prices:crop=maize",
            key_names=KEYS,
            limit=3,
            cursor_token=token,
            KeyConditionExpression=Key("pk").eq("CROP#maize"),
        )
        seen.extend(item["sk"] for item in page.items)
        token = page.next_cursor
        if token is None:
            break

    assert seen == [Decimal(i) / 2 for i in range(7)]
    assert token is None


def test_empty_list_has_no_cursor(aws: None) -> None:
    table = make_table("shared-test-empty")

    page = gulu_page(table, None)

    assert page.items == []
    assert page.next_cursor is None


# --- plain() and throttling -----------------------------------------------------------------------------


def test_plain_turns_decimals_into_ints_and_floats_recursively() -> None:
    value = {
        "qty": Decimal(3),
        "price": Decimal("1500.50"),
        "big": Decimal("1E+3"),
        "tags": {Decimal(1)},
        "nested": [{"x": Decimal("0.25")}, ("a", Decimal(2))],
        "name": "maize",
        "ok": True,
        "none": None,
    }

    result = dynamo.plain(value)

    assert result == {
        "qty": 3,
        "price": 1500.5,
        "big": 1000,
        "tags": [1],
        "nested": [{"x": 0.25}, ["a", 2]],
        "name": "maize",
        "ok": True,
        "none": None,
    }
    assert type(result["qty"]) is int
    assert type(result["big"]) is int
    assert type(result["price"]) is float


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}}, "Query")


@pytest.mark.parametrize(
    "code",
    [
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
    ],
)
def test_throttling_becomes_dependency_unavailable(code: str) -> None:
    with pytest.raises(DependencyUnavailable) as raised:
        dynamo.raise_if_throttled(_client_error(code))

    assert raised.value.status == 503


@pytest.mark.parametrize(
    "err",
    [_client_error("ConditionalCheckFailedException"), _client_error("ValidationException"), ValueError("x")],
)
def test_other_errors_are_left_alone(err: Exception) -> None:
    dynamo.raise_if_throttled(err)  # does not raise

    assert dynamo.error_code(err) == (err.response["Error"]["Code"] if isinstance(err, ClientError) else "")
