"""POST /listings/{id}/images: a presigned S3 POST form whose policy pins the declared type and
1 byte to 10 MB, for the listing's owner, at most 8 images a listing.

moto accepts a POST upload with the form but does not evaluate POST policies (its
``_bucket_response_post`` stores whatever arrives), so the size and type limits are proven by the
exact conditions in the signed policy, and the upload itself by storing a file with the form.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import requests
from market_support import Market, MarketTable, decode_policy

from soko_local.provision import Deployment
from support.gateway import Api
from support.lambda_env import REGION
from support.users import User, new_user

MAX_BYTES = 10 * 1024 * 1024


def upload_form(api: Api, listing_id: str, user: User | None, content_type: str = "image/jpeg") -> Any:
    return api.post(f"/listings/{listing_id}/images", {"content_type": content_type}, user=user)


@pytest.mark.parametrize(
    ("content_type", "extension"), [("image/jpeg", "jpg"), ("image/png", "png"), ("image/webp", "webp")]
)
def test_the_owner_gets_a_form_whose_policy_pins_type_and_size(
    api: Api,
    market: Market,
    market_table: MarketTable,
    deployment: Deployment,
    farmer: User,
    content_type: str,
    extension: str,
) -> None:
    listing = market.listing(farmer)

    form = upload_form(api, listing["id"], farmer, content_type).expect(201).json

    bucket = deployment.physical["MediaBucket"]
    key = form["key"]
    assert key.startswith(f"listings/{listing['id']}/") and key.endswith(f".{extension}")
    assert (form["max_bytes"], form["expires_in"]) == (MAX_BYTES, 900)
    assert bucket in form["url"]
    assert form["fields"]["key"] == key
    assert form["fields"]["Content-Type"] == content_type
    policy = decode_policy(form["fields"])
    conditions = policy["conditions"]
    assert {"Content-Type": content_type} in conditions
    assert ["content-length-range", 1, MAX_BYTES] in conditions
    assert {"bucket": bucket} in conditions
    assert {"key": key} in conditions
    assert policy["expiration"].endswith("Z")
    assert market_table.listing(listing["id"])["images"] == [key]
    assert market_table.listing(listing["id"])["version"] == 2


def test_an_upload_with_the_form_lands_in_the_bucket_and_the_listing_shows_it(
    api: Api, market: Market, deployment: Deployment, farmer: User
) -> None:
    listing = market.listing(farmer)
    form = upload_form(api, listing["id"], farmer).expect(201).json
    picture = b"\xff\xd8\xff\xe0" + b"maize" * 100

    response = requests.post(
        form["url"], data=form["fields"], files={"file": ("maize.jpg", picture, "image/jpeg")}, timeout=10
    )

    assert response.status_code in (200, 201, 204), response.text
    s3 = boto3.client("s3", region_name=REGION)
    stored = s3.get_object(Bucket=deployment.physical["MediaBucket"], Key=form["key"])
    assert stored["Body"].read() == picture
    (url,) = api.get(f"/listings/{listing['id']}").expect(200).json["images"]
    assert form["key"] in url and ("Signature=" in url or "X-Amz-Signature=" in url)


@pytest.mark.parametrize("content_type", ["image/gif", "image/svg+xml", "application/pdf", "IMAGE/JPEG", ""])
def test_other_types_are_422_and_write_nothing(
    api: Api, market: Market, market_table: MarketTable, farmer: User, content_type: str
) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        reply = upload_form(api, listing["id"], farmer, content_type).expect(422, "VALIDATION_ERROR")

    assert reply.fields == {"content_type"}


def test_a_missing_type_is_422(api: Api, market: Market, market_table: MarketTable, farmer: User) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        reply = api.post(f"/listings/{listing['id']}/images", {}, user=farmer).expect(422)

    assert reply.fields == {"content_type"}


@pytest.mark.parametrize("role", ["farmer", "buyer", "admin"])
def test_only_the_owner_gets_a_form(
    api: Api, market: Market, market_table: MarketTable, farmer: User, role: str
) -> None:
    listing = market.listing(farmer)
    with market_table.unchanged():
        upload_form(api, listing["id"], new_user(role)).expect(403, "FORBIDDEN")


def test_no_caller_unknown_and_deleted_listings(
    api: Api, market: Market, market_table: MarketTable, farmer: User
) -> None:
    listing = market.listing(farmer)
    api.delete(f"/listings/{listing['id']}", user=farmer).expect(204)

    with market_table.unchanged():
        upload_form(api, listing["id"], None).expect(401, "UNAUTHORIZED")
        upload_form(api, listing["id"], farmer).expect(404, "LISTING_NOT_FOUND")
        upload_form(api, "01JD0000000000000000000099", farmer).expect(404, "LISTING_NOT_FOUND")


def test_the_ninth_image_is_409(api: Api, market: Market, market_table: MarketTable, farmer: User) -> None:
    listing = market.listing(farmer)
    keys = [upload_form(api, listing["id"], farmer).expect(201).json["key"] for _ in range(8)]
    assert len(set(keys)) == 8

    with market_table.unchanged():
        upload_form(api, listing["id"], farmer).expect(409, "TOO_MANY_IMAGES")

    assert market_table.listing(listing["id"])["images"] == keys
    assert len(api.get(f"/listings/{listing['id']}").expect(200).json["images"]) == 8
