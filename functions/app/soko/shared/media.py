"""Media in the MediaBucket (data access), for every domain that takes uploads (listing images,
farming-knowledge posts): presigned POST forms whose policy enforces the type and size, and
presigned GET URLs for showing them. The bucket stays private; clients never hold credentials."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import Field

from soko.shared import aws
from soko.shared.config import BaseConfig, load

VIEW_URL_SECONDS = 3600


class MediaConfig(BaseConfig):
    """A function that issues upload forms or shows media (MEDIA_BUCKET_NAME required)."""

    media_bucket_name: str = Field(min_length=1)


class MediaStore(Protocol):
    """What logic modules need of the bucket (S3Media, or a fake in unit tests)."""

    def upload_form(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]: ...
    def view_url(self, key: str) -> str: ...


class S3Media:
    """The media bucket. Without a ``bucket`` it is the configured one (MEDIA_BUCKET_NAME), read on
    first use: a function that never touches media (orders, deleting a post) needs no bucket."""

    def __init__(self, bucket: str | None = None, *, view_seconds: int = VIEW_URL_SECONDS):
        self._bucket = bucket
        self.view_seconds = view_seconds

    @property
    def bucket(self) -> str:
        if self._bucket is None:
            self._bucket = load(MediaConfig).media_bucket_name
        return self._bucket

    def upload_form(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
        """A presigned POST for exactly ``key``: S3 refuses another Content-Type, an empty file and
        one larger than ``max_bytes`` (the policy's conditions, whatever the client sends)."""
        form: dict[str, Any] = aws.client("s3").generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return form

    def view_url(self, key: str) -> str:
        return str(
            aws.client("s3").generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.view_seconds
            )
        )
