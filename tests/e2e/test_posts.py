"""Farming-knowledge posts over HTTP against the real application under the local runtime: a
farmer writes a post, uploads an image through the presigned POST form straight to the runtime's
S3, and anyone reads the post back with the image behind a presigned GET URL; the feed's filters;
the gateway's authorizer on writes; only the author or an admin changes or deletes; admins pin."""

from __future__ import annotations

import os
import uuid
from typing import Any

import requests

PASSWORD = "Mango-Season-42x"
ADMIN_EMAIL = os.environ.get("SOKO_ADMIN_EMAIL", "admin@soko.ug")
ADMIN_PASSWORD = os.environ.get("SOKO_ADMIN_PASSWORD", "Matooke-Market-Dev-2026")
TIMEOUT = 30
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(2048)


def sign_in(soko: Any, http: requests.Session, email: str, password: str) -> dict[str, str]:
    reply = http.post(f"{soko.url}/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def new_user(soko: Any, http: requests.Session, role: str) -> dict[str, str]:
    email = f"posts-{role}-{uuid.uuid4().hex[:12]}@example.com"
    created = http.post(
        f"{soko.url}/auth/register",
        json={"email": email, "password": PASSWORD, "role": role},
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    return sign_in(soko, http, email, PASSWORD)


def test_a_post_with_an_uploaded_image_is_read_back_by_anyone(soko: Any, http: requests.Session) -> None:
    farmer = new_user(soko, http, "farmer")
    body = {
        "title": "Okukaza kasooli",
        "body": "Kaza kasooli **bulungi** nga tonnaba kumutereka.",
        "category": "agronomy",
        "crops": ["Kasooli", "corn"],
        "language": "lg",
    }
    assert http.post(f"{soko.url}/posts/", json=body, timeout=TIMEOUT).status_code == 401  # the authorizer
    created = http.post(f"{soko.url}/posts/", json=body, headers=farmer, timeout=TIMEOUT)
    assert created.status_code == 201, created.text
    post = created.json()
    assert post["crops"] == ["maize_grain"]

    refused = http.post(
        f"{soko.url}/posts/{post['id']}/media",
        json={"content_type": "image/gif"},
        headers=farmer,
        timeout=TIMEOUT,
    )
    assert refused.status_code == 422, refused.text
    issued = http.post(
        f"{soko.url}/posts/{post['id']}/media",
        json={"content_type": "image/png"},
        headers=farmer,
        timeout=TIMEOUT,
    )
    assert issued.status_code == 201, issued.text
    form = issued.json()
    assert form["max_bytes"] == 10 * 1024 * 1024 and form["fields"]["Content-Type"] == "image/png"

    uploaded = requests.post(
        form["url"], data=form["fields"], files={"file": ("field.png", PNG, "image/png")}, timeout=TIMEOUT
    )
    assert uploaded.status_code in (200, 201, 204), uploaded.text

    read = requests.get(f"{soko.url}/posts/{post['id']}", timeout=TIMEOUT)  # public: no token
    assert read.status_code == 200, read.text
    (image,) = read.json()["media"]
    assert (image["key"], image["kind"], image["content_type"]) == (form["key"], "image", "image/png")
    fetched = requests.get(image["url"], timeout=TIMEOUT)
    assert fetched.status_code == 200 and fetched.content == PNG
    unsigned = image["url"].split("?", 1)[0]
    assert requests.get(unsigned, timeout=TIMEOUT).status_code == 403  # the bucket is private

    feed = requests.get(f"{soko.url}/posts/", params={"crop": "maize", "language": "lg"}, timeout=TIMEOUT)
    assert feed.status_code == 200, feed.text
    assert post["id"] in [p["id"] for p in feed.json()["items"]]
    assert (
        requests.get(f"{soko.url}/posts/", params={"crop": "nonsense-crop"}, timeout=TIMEOUT).status_code
        == 422
    )


def test_only_the_author_or_an_admin_changes_and_deletes_and_admins_pin(
    soko: Any, http: requests.Session
) -> None:
    author, other = new_user(soko, http, "farmer"), new_user(soko, http, "buyer")
    admin = sign_in(soko, http, ADMIN_EMAIL, ADMIN_PASSWORD)
    body = {
        "title": "Maize prices in Gulu this week",
        "body": "Up 5%.",
        "category": "market",
        "crops": ["maize"],
    }
    post = http.post(f"{soko.url}/posts/", json=body, headers=author, timeout=TIMEOUT).json()
    url = f"{soko.url}/posts/{post['id']}"

    assert http.put(url, json={"title": "Mine now"}, headers=other, timeout=TIMEOUT).status_code == 403
    assert http.delete(url, headers=other, timeout=TIMEOUT).status_code == 403
    assert http.put(url, json={"pinned": True}, headers=author, timeout=TIMEOUT).status_code == 403
    pinned = http.put(url, json={"pinned": True}, headers=admin, timeout=TIMEOUT)
    assert pinned.status_code == 200 and pinned.json()["pinned"] is True, pinned.text
    later = {**body, "title": "A newer market post"}
    assert http.post(f"{soko.url}/posts/", json=later, headers=author, timeout=TIMEOUT).status_code == 201
    first = requests.get(f"{soko.url}/posts/", params={"category": "market"}, timeout=TIMEOUT).json()[
        "items"
    ][0]
    assert first["id"] == post["id"]

    changed = http.put(url, json={"title": "Maize prices in Gulu, updated"}, headers=author, timeout=TIMEOUT)
    assert changed.status_code == 200 and changed.json()["pinned"] is True, changed.text
    assert http.delete(url, headers=author, timeout=TIMEOUT).status_code == 204
    assert requests.get(url, timeout=TIMEOUT).status_code == 404
    assert http.delete(url, headers=admin, timeout=TIMEOUT).status_code == 404
