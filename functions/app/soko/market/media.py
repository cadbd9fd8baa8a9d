"""Listing images in S3 (data access): presigned POST forms whose policy enforces the type and
size, and presigned GET URLs for showing them."""

from __future__ import annotations

from typing import Any

from soko.shared import aws


class S3Media:
    def __init__(self, bucket: str):
        self.bucket = bucket

    def upload_form(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
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
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=3600
            )
        )
