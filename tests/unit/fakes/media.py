"""An in-memory media store (soko.shared.media.MediaStore)."""

from __future__ import annotations

from typing import Any


class InMemoryMedia:
    def upload_form(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
        return {"url": "https://media.example/upload", "fields": {"key": key, "Content-Type": content_type}}

    def view_url(self, key: str) -> str:
        return f"https://media.example/{key}"
