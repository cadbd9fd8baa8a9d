"""Farming-knowledge models: requests, responses and the media allow-list."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from soko.shared import crops
from soko.shared.config import BaseConfig

PostCategory = Literal["market", "agronomy", "weather", "news"]
Language = Literal["en", "lg"]
MAX_CROPS = 10
MAX_BODY_CHARS = 20_000
MB = 1024 * 1024

# content type -> (kind, file extension, largest upload in bytes)
MEDIA_TYPES: dict[str, tuple[str, str, int]] = {
    "image/jpeg": ("image", "jpg", 10 * MB),
    "image/png": ("image", "png", 10 * MB),
    "image/webp": ("image", "webp", 10 * MB),
    "application/pdf": ("pdf", "pdf", 10 * MB),
    "video/mp4": ("video", "mp4", 100 * MB),
    "video/webm": ("video", "webm", 100 * MB),
    "video/quicktime": ("video", "mov", 100 * MB),
}
MediaType = Literal[
    "image/jpeg", "image/png", "image/webp", "application/pdf", "video/mp4", "video/webm", "video/quicktime"
]


class PostsConfig(BaseConfig):
    """Every posts function (the media bucket is read by the media store when used)."""

    posts_table_name: str = Field(min_length=1)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _unique(values: list[str]) -> list[str]:
    """Catalogue ids in the order given, each once (``maize`` and ``corn`` are one crop)."""
    return list(dict.fromkeys(values))


CropName = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(crops.catalogue_id)]
Crops = Annotated[
    list[CropName],
    Field(
        max_length=MAX_CROPS, description="any crop names, synonyms or Luganda names; stored as catalogue ids"
    ),
    AfterValidator(_unique),
]
Title = Annotated[str, Field(min_length=3, max_length=150)]
Body = Annotated[str, Field(min_length=1, max_length=MAX_BODY_CHARS, description="markdown")]


class PostCreate(_Input):
    title: Title
    body: Body
    category: PostCategory
    crops: Crops = Field(default_factory=list)
    language: Language = "en"
    pinned: bool = Field(default=False, description="admins only: pinned posts come first")


class PostUpdate(_Input):
    """Fields left out are kept; none may be null."""

    title: Title | None = None
    body: Body | None = None
    category: PostCategory | None = None
    crops: Crops | None = None
    language: Language | None = None
    pinned: bool | None = Field(default=None, description="admins only")

    @field_validator("title", "body", "category", "crops", "language", "pinned", mode="before")
    @classmethod
    def _no_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null (leave the field out to keep it)")
        return value


class Media(BaseModel):
    key: str
    kind: Literal["image", "pdf", "video"]
    content_type: str
    url: str = Field(description="presigned GET URL, valid for an hour")


class Post(BaseModel):
    id: str
    author_id: str
    title: str
    body: str = Field(description="markdown, as written (render it with raw HTML disabled)")
    category: PostCategory
    crops: list[str] = Field(description="crop catalogue ids")
    crop_names: list[str]
    language: Language
    pinned: bool
    media: list[Media] = Field(default_factory=list)
    created_at: str
    updated_at: str


class PostPage(BaseModel):
    items: list[Post] = Field(description="Pinned posts first, then newest first")
    next_cursor: str | None


class MediaUploadRequest(_Input):
    content_type: MediaType = Field(
        description="jpeg, png or webp images and PDFs up to 10 MB; mp4, webm or quicktime video up to 100 MB"
    )


class MediaUpload(BaseModel):
    url: str
    fields: dict[str, str] = Field(description="send these form fields, then the file as `file`")
    key: str
    kind: Literal["image", "pdf", "video"]
    max_bytes: int
    expires_in: int
