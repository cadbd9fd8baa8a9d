"""POST /posts/{id}/media: a presigned S3 POST form whose policy pins the declared type and size
(10 MB for images and PDFs, 100 MB for video), for the author or an admin, at most 10 a post; the
post then shows each file as a presigned GET URL.

moto stores whatever a POST upload sends (it does not evaluate POST policies), so the limits are
proven by the exact conditions in the signed policy, and the upload itself by storing a file.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
import requests
from posts_support import Gateway, PostsTable

from soko_local.provision import Deployment
from support.lambda_env import REGION
from support.users import User, new_user

MB = 1024 * 1024
POST = {
    "title": "Fall armyworm in maize",
    "body": "Scout weekly.",
    "category": "agronomy",
    "crops": ["maize"],
}


def write(gateway: Gateway, user: User) -> dict[str, Any]:
    return dict(gateway.post("/posts/", POST, user=user).expect(201).json)


def form(gateway: Gateway, post_id: str, user: User | None, content_type: str = "image/jpeg") -> Any:
    return gateway.post(f"/posts/{post_id}/media", {"content_type": content_type}, user=user)


def policy(fields: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(fields["policy"])))


@pytest.mark.parametrize(
    ("content_type", "kind", "extension", "max_bytes"),
    [
        ("image/jpeg", "image", "jpg", 10 * MB),
        ("image/png", "image", "png", 10 * MB),
        ("image/webp", "image", "webp", 10 * MB),
        ("application/pdf", "pdf", "pdf", 10 * MB),
        ("video/mp4", "video", "mp4", 100 * MB),
        ("video/webm", "video", "webm", 100 * MB),
        ("video/quicktime", "video", "mov", 100 * MB),
    ],
)
def test_the_form_pins_type_and_size_in_the_signed_policy(
    gateway: Gateway,
    deployment: Deployment,
    posts_table: PostsTable,
    content_type: str,
    kind: str,
    extension: str,
    max_bytes: int,
) -> None:
    author = new_user()
    post = write(gateway, author)

    upload = form(gateway, post["id"], author, content_type).expect(201).json

    bucket = deployment.physical["MediaBucket"]
    key = upload["key"]
    assert key.startswith(f"posts/{post['id']}/") and key.endswith(f".{extension}")
    assert (upload["kind"], upload["max_bytes"], upload["expires_in"]) == (kind, max_bytes, 900)
    assert upload["fields"]["key"] == key and upload["fields"]["Content-Type"] == content_type
    conditions = policy(upload["fields"])["conditions"]
    assert {"Content-Type": content_type} in conditions
    assert ["content-length-range", 1, max_bytes] in conditions
    assert {"bucket": bucket} in conditions and {"key": key} in conditions
    shown = gateway.get(f"/posts/{post['id']}").expect(200).json["media"]
    assert [(m["key"], m["kind"], m["content_type"]) for m in shown] == [(key, kind, content_type)]
    # the crop copy shows it too
    listed = gateway.get("/posts/", query={"crop": "maize"}).expect(200).json["items"]
    assert [m["key"] for m in listed[0]["media"]] == [key]


def test_an_upload_with_the_form_lands_in_the_bucket_and_the_post_links_it(
    gateway: Gateway, deployment: Deployment
) -> None:
    author = new_user()
    post = write(gateway, author)
    upload = form(gateway, post["id"], author, "application/pdf").expect(201).json
    leaflet = b"%PDF-1.4\n" + b"armyworm " * 200

    response = requests.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("leaflet.pdf", leaflet, "application/pdf")},
        timeout=10,
    )

    assert response.status_code in (200, 201, 204), response.text
    stored = boto3.client("s3", region_name=REGION).get_object(
        Bucket=deployment.physical["MediaBucket"], Key=upload["key"]
    )
    assert stored["Body"].read() == leaflet
    (media,) = gateway.get(f"/posts/{post['id']}").expect(200).json["media"]
    assert upload["key"] in media["url"] and "Signature" in media["url"]
    assert requests.get(media["url"], timeout=10).content == leaflet


@pytest.mark.parametrize(
    "content_type",
    ["image/gif", "image/svg+xml", "text/html", "application/zip", "video/x-msvideo", "IMAGE/JPEG", ""],
)
def test_other_types_are_422_and_write_nothing(
    gateway: Gateway, posts_table: PostsTable, content_type: str
) -> None:
    author = new_user()
    post = write(gateway, author)
    before = posts_table.items()

    reply = form(gateway, post["id"], author, content_type).expect(422, "VALIDATION_ERROR")

    assert reply.fields == {"content_type"}
    assert posts_table.items() == before


def test_only_the_author_or_an_admin_gets_a_form(gateway: Gateway, posts_table: PostsTable) -> None:
    author = new_user()
    post = write(gateway, author)
    before = posts_table.items()

    form(gateway, post["id"], new_user("buyer")).expect(403, "FORBIDDEN")
    form(gateway, post["id"], None).expect(401, "UNAUTHORIZED")
    form(gateway, "01JD0000000000000000000099", author).expect(404, "POST_NOT_FOUND")
    assert posts_table.items() == before
    form(gateway, post["id"], new_user("admin")).expect(201)


def test_the_eleventh_file_is_409(gateway: Gateway) -> None:
    author = new_user()
    post = write(gateway, author)
    keys = [form(gateway, post["id"], author).expect(201).json["key"] for _ in range(10)]

    form(gateway, post["id"], author).expect(409, "TOO_MANY_MEDIA")

    assert [m["key"] for m in gateway.get(f"/posts/{post['id']}").expect(200).json["media"]] == keys
