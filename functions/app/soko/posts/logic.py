"""Farming-knowledge rules (no boto3 here): who may write, pin, change and delete a post, how the
feed is filtered, and media uploads by presigned POST.

Any signed-in user may post; only admins pin. The author or an admin may change or delete a post
(anyone else: 403; an unknown post: 404). Media keys are recorded on the post when the upload form
is issued and shown as presigned GET URLs; the bucket's POST policy, not this code, holds the
client to the declared type and size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from soko.posts.dal import FeedQuery, PostNotFound, PostsDal
from soko.posts.models import (
    MEDIA_TYPES,
    Media,
    MediaUpload,
    MediaUploadRequest,
    Post,
    PostCreate,
    PostPage,
    PostsConfig,
    PostUpdate,
)
from soko.shared import clock, crops, ids
from soko.shared.errors import Conflict, Forbidden
from soko.shared.identity import Caller
from soko.shared.media import MediaStore

MAX_MEDIA = 10
UPLOAD_FORM_SECONDS = 900


@dataclass
class Posts:
    config: PostsConfig
    dal: PostsDal
    media: MediaStore


class TooManyMedia(Conflict):
    code = "TOO_MANY_MEDIA"


@dataclass(frozen=True)
class FeedFilters:
    category: str | None = None
    crop: str | None = None  # a catalogue id
    language: str | None = None


def _post(item: dict[str, Any], deps: Posts) -> Post:
    crop_names = [crop.name if (crop := crops.by_id(c)) else c for c in item["crops"]]
    return Post(
        id=item["id"],
        author_id=item["author_id"],
        title=item["title"],
        body=item["body"],
        category=item["category"],
        crops=item["crops"],
        crop_names=crop_names,
        language=item["language"],
        pinned=bool(item["pinned"]),
        media=[Media(**m, url=deps.media.view_url(m["key"])) for m in item.get("media", [])],
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )


def _require_admin_to_pin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden("Only admins can pin or unpin posts.", details={"field": "pinned"})


def create_post(caller: Caller, request: PostCreate, deps: Posts) -> Post:
    if request.pinned:
        _require_admin_to_pin(caller)
    now = clock.now_iso()
    item: dict[str, Any] = {
        **request.model_dump(),
        "id": ids.ulid(),
        "author_id": caller.user_id,
        "media": [],
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    deps.dal.save(item, previous=None)
    return _post(item, deps)


def _load(post_id: str, deps: Posts) -> dict[str, Any]:
    item = deps.dal.get(post_id)
    if item is None:
        raise PostNotFound("No such post.", details={"id": post_id})
    return item


def _editable(caller: Caller, post_id: str, deps: Posts) -> dict[str, Any]:
    item = _load(post_id, deps)
    if item["author_id"] != caller.user_id and not caller.is_admin:
        raise Forbidden("Only the author of this post or an admin can change it.")
    return item


def get_post(post_id: str, deps: Posts) -> Post:
    return _post(_load(post_id, deps), deps)


def update_post(caller: Caller, post_id: str, update: PostUpdate, deps: Posts) -> Post:
    item = _editable(caller, post_id, deps)
    changes = update.model_dump(exclude_unset=True)
    if "pinned" in changes and changes["pinned"] != item["pinned"]:
        _require_admin_to_pin(caller)
    if all(item.get(name) == value for name, value in changes.items()):
        return _post(item, deps)
    new = {**item, **changes, "updated_at": clock.now_iso(), "version": int(item["version"]) + 1}
    deps.dal.save(new, previous=item)
    return _post(new, deps)


def delete_post(caller: Caller, post_id: str, deps: Posts) -> None:
    deps.dal.delete(_editable(caller, post_id, deps))


def media_upload(caller: Caller, post_id: str, request: MediaUploadRequest, deps: Posts) -> MediaUpload:
    item = _editable(caller, post_id, deps)
    media = list(item.get("media", []))
    if len(media) >= MAX_MEDIA:
        raise TooManyMedia(f"A post has at most {MAX_MEDIA} media files.", details={"max": MAX_MEDIA})
    kind, extension, max_bytes = MEDIA_TYPES[request.content_type]
    key = f"posts/{post_id}/{ids.ulid()}.{extension}"
    form = deps.media.upload_form(key, request.content_type, max_bytes, UPLOAD_FORM_SECONDS)
    entry = {"key": key, "kind": kind, "content_type": request.content_type}
    new = {**item, "media": [*media, entry], "version": int(item["version"]) + 1}
    deps.dal.save(new, previous=item)
    return MediaUpload(
        url=form["url"],
        fields=form["fields"],
        key=key,
        kind=kind,
        max_bytes=max_bytes,
        expires_in=UPLOAD_FORM_SECONDS,
    )


def _plan(filters: FeedFilters) -> FeedQuery:
    """The most selective index for the filters (crop, then category, then language); the rest filter."""
    wanted = {"crop": filters.crop, "category": filters.category, "language": filters.language}
    prefixes = {"crop": "CROP", "category": "CAT", "language": "LANG"}
    for dimension in ("crop", "category", "language"):
        value = wanted.pop(dimension)
        if value:
            rest = {name: v for name, v in wanted.items() if v}  # crop was popped first
            return FeedQuery(dimension, f"{prefixes[dimension]}#{value}", rest)
    return FeedQuery("all", "FEED")


def feed(filters: FeedFilters, limit: int, cursor: str | None, deps: Posts) -> PostPage:
    scope = "posts:" + "|".join(f"{k}={v}" for k, v in sorted(vars(filters).items()) if v is not None)
    page = deps.dal.feed(_plan(filters), limit, cursor, scope)
    return PostPage(items=[_post(item, deps) for item in page.items], next_cursor=page.next_cursor)
